import { checkMilliseconds } from './milliseconds.js';
import { type RetryOptions, type RetryPolicy, retryPolicy } from './retry.js';
import { VERSION } from './version.js';

/** A token, or where to get one at request time (e.g. from a SessionManager). */
export type ApiKey = string | (() => string | undefined | Promise<string | undefined>);

export type FetchFunction = (input: string, init: RequestInit) => Promise<Response>;

export interface ConfigurationParameters {
  /** Default `https://api.pacerpro.com/v1`; a trailing slash is fine. */
  basePath?: string;
  /** The JWT sent in `Authorization`; with none, no Authorization header is sent. */
  apiKey?: ApiKey;
  /** Default `"Bearer"` (what the Ruby client really sends); `null` sends the bare token. */
  apiKeyPrefix?: string | null;
  /** Per attempt, including reading the body. Default 30000. */
  timeoutMs?: number;
  /** Sent with every request; they may override Content-Type, Accept and User-Agent, never Authorization from apiKey. */
  headers?: Record<string, string>;
  /** Default `pacerpro-client-ts/<version>`, sent only outside browsers (browsers own that header). */
  userAgent?: string;
  /** Default: the global fetch, looked up at call time. */
  fetch?: FetchFunction;
  /** Retry options, or `false` for none. */
  retry?: RetryOptions | false;
}

export const DEFAULT_BASE_PATH = 'https://api.pacerpro.com/v1';
export const DEFAULT_USER_AGENT = `pacerpro-client-ts/${VERSION}`;

// A browser refuses or silently drops a script's User-Agent, and where it does send it, the header
// would need its own CORS allowance; so the default is only sent where a Node-like runtime runs us.
function runsOnNode(): boolean {
  return typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';
}

export class Configuration {
  readonly basePath: string;
  readonly apiKey: ApiKey | undefined;
  readonly apiKeyPrefix: string | null;
  readonly timeoutMs: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly userAgent: string | undefined;
  readonly fetch: FetchFunction;
  readonly retry: RetryPolicy;
  readonly #parameters: ConfigurationParameters;

  constructor(parameters: ConfigurationParameters = {}) {
    this.#parameters = { ...parameters };
    this.basePath = (parameters.basePath ?? DEFAULT_BASE_PATH).replace(/\/+$/, '');
    this.apiKey = parameters.apiKey;
    this.apiKeyPrefix = parameters.apiKeyPrefix === undefined ? 'Bearer' : parameters.apiKeyPrefix;
    this.timeoutMs = checkMilliseconds('timeoutMs', parameters.timeoutMs ?? 30_000, 1);
    this.headers = { ...parameters.headers };
    // A value fetch would refuse fails here, naming the header but never echoing its value (it may be a secret).
    for (const [name, value] of Object.entries(this.headers)) {
      try {
        new Headers([[name, value]]);
      } catch {
        throw new TypeError(`headers: "${name}" is not a valid HTTP header name, or its value is not a valid header value`);
      }
    }
    this.userAgent = parameters.userAgent ?? (runsOnNode() ? DEFAULT_USER_AGENT : undefined);
    // Called unbound: a browser's fetch throws "Illegal invocation" when called as a method of another object.
    const custom = parameters.fetch;
    this.fetch = custom ? (input, init) => custom(input, init) : (input, init) => globalThis.fetch(input, init);
    this.retry = retryPolicy(parameters.retry);
  }

  /** A copy with some parameters replaced. */
  with(overrides: ConfigurationParameters): Configuration {
    return new Configuration({ ...this.#parameters, ...overrides });
  }

  /** The Authorization header value, or undefined when there is no token to send. */
  async authorization(): Promise<string | undefined> {
    const token = typeof this.apiKey === 'function' ? await this.apiKey() : this.apiKey;
    if (!token) return undefined;
    return this.apiKeyPrefix ? `${this.apiKeyPrefix} ${token}` : token;
  }
}
