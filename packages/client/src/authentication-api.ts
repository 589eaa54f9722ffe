import { ApiError } from './api-error.js';
import { Configuration, type ConfigurationParameters } from './configuration.js';
import { parseEmpty, parseSession, type Session, type User } from './models.js';
import { RequiredError } from './required-error.js';
import { type HttpMethod, withRetries } from './retry.js';
import { parseJson, type RawResponse, sendRequest } from './send-request.js';

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
  async sessionPost(user: User): Promise<Session> {
    return (await this.sessionPostWithHttpInfo(user)).data;
  }

  async sessionPostWithHttpInfo(user: User): Promise<ApiResponse<Session>> {
    if (user === undefined || user === null) throw new RequiredError('user', 'sessionPost');
    // Only the model's fields go on the wire, so an object with more in it leaks nothing.
    const body = JSON.stringify({ email: user.email, password: user.password });
    return readModel(await this.#send('POST', body, false), parseSession, 'Session');
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

  #send(method: HttpMethod, body?: string, authorize = true): Promise<RawResponse> {
    return withRetries(this.configuration.retry, method, () => sendRequest(this.configuration, method, '/session', body, authorize));
  }
}
