import { ApiError } from './api-error.js';
import { DEVICE_HEADER, isDeviceCredential } from './device-credential.js';
import { Configuration, type ConfigurationParameters } from './configuration.js';
import { parseEmpty, parseSession, type Session, type User } from './models.js';
import { RequiredError } from './required-error.js';
import { type HttpMethod, withRetries } from './retry.js';
import { parseJson, type RawResponse, sendRequest } from './send-request.js';

/** What a login may send besides the credentials. */
export interface SessionPostOptions {
  /**
   * The device credential an earlier login of this account answered with (the PacerPro-Device
   * header of its ApiResponse): it lets this client past strangers' failed logins. A value no
   * header can carry is not sent.
   */
  deviceCredential?: string | undefined;
}

/** What the WithHttpInfo operations resolve to. */
export interface ApiResponse<T> {
  data: T;
  status: number;
  headers: Headers;
}

// The contract: exactly one application/json (a charset parameter is fine; application/problem+json is not).
function isJson(contentType: string | null): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'application/json';
}

/** A 2xx answer must be the JSON model the contract promises; anything else is an ApiError too. */
function readModel<T>(raw: RawResponse, parse: (json: unknown) => T | undefined, model: string): ApiResponse<T> {
  const contentType = raw.headers.get('content-type');
  const data = isJson(contentType) ? parse(parseJson(raw.text)) : undefined;
  if (data === undefined) {
    const why = isJson(contentType) ? `the body is not a ${model}` : `Content-Type is ${contentType ?? 'missing'}, not application/json`;
    throw new ApiError({
      code: raw.status,
      message: `Unexpected response (${raw.status}): ${why}`,
      responseHeaders: raw.headers,
      responseBody: raw.text,
    });
  }
  return { data, status: raw.status, headers: raw.headers };
}

/** The three session operations of the PacerPro API, as in the Ruby client's AuthenticationApi. */
export class AuthenticationApi {
  readonly configuration: Configuration;

  constructor(configuration: Configuration | ConfigurationParameters = {}) {
    this.configuration = configuration instanceof Configuration ? configuration : new Configuration(configuration);
  }

  /** Initial authentication: trades credentials for a Session. Never retried once the request may have arrived. */
  async sessionPost(user: User, options: SessionPostOptions = {}): Promise<Session> {
    return (await this.sessionPostWithHttpInfo(user, options)).data;
  }

  /** As sessionPost; the answer's headers carry the device credential to keep (deviceCredentialFrom). */
  async sessionPostWithHttpInfo(user: User, { deviceCredential }: SessionPostOptions = {}): Promise<ApiResponse<Session>> {
    if (user === undefined || user === null) throw new RequiredError('user', 'sessionPost');
    // Only the model's fields go on the wire, so an object with more in it leaks nothing.
    const body = JSON.stringify({ email: user.email, password: user.password });
    const device: Record<string, string> =
      deviceCredential !== undefined && isDeviceCredential(deviceCredential) ? { [DEVICE_HEADER]: deviceCredential } : {};
    return readModel(await this.#send('POST', body, false, device), parseSession, 'Session');
  }

  /** Refresh: trades the configured, still valid token for a new Session with a later expiry. */
  async sessionGet(): Promise<Session> {
    return (await this.sessionGetWithHttpInfo()).data;
  }

  async sessionGetWithHttpInfo(): Promise<ApiResponse<Session>> {
    return readModel(await this.#send('GET'), parseSession, 'Session');
  }

  /** Logout everywhere: revokes every token of the user, this one included. */
  async sessionDelete(): Promise<void> {
    await this.sessionDeleteWithHttpInfo();
  }

  async sessionDeleteWithHttpInfo(): Promise<ApiResponse<void>> {
    const { status, headers } = readModel(await this.#send('DELETE'), parseEmpty, 'Empty ({})');
    return { data: undefined, status, headers };
  }

  /** The later Ruby client's name for sessionPost. */
  sessionCreate(user: User): Promise<Session> {
    return this.sessionPost(user);
  }

  /** The later Ruby client's name for sessionGet. */
  sessionRefresh(): Promise<Session> {
    return this.sessionGet();
  }

  #send(method: HttpMethod, body?: string, authorize = true, headers: Record<string, string> = {}): Promise<RawResponse> {
    return withRetries(this.configuration.retry, method, () =>
      sendRequest(this.configuration, method, '/session', body, authorize, headers),
    );
  }
}
