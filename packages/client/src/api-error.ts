import { isErrorCode, type ErrorCode } from './error-codes.js';
import type { ErrorBody } from './models.js';
import { reasonPhrase } from './reason-phrases.js';

export interface ApiErrorInit {
  /** The HTTP status; 0 when no response arrived (network failure, timeout). */
  code: number;
  /** Defaults to the reason phrase of `code`. */
  message?: string;
  responseHeaders?: Headers;
  responseBody?: string;
  body?: ErrorBody;
  cause?: unknown;
}

/**
 * Every failed call rejects with an ApiError, as in the Ruby client: a non-2xx answer (message is the
 * reason phrase, e.g. "Unauthorized"), no answer at all (code 0, the fetch failure as `cause`), or a
 * 2xx answer that is not the JSON the contract promises.
 */
export class ApiError extends Error {
  override name = 'ApiError';
  /** The HTTP status; 0 when no response arrived. */
  readonly code: number;
  /** Empty when no response arrived. */
  readonly responseHeaders: Headers;
  /** The raw response text; undefined when no response arrived. */
  readonly responseBody: string | undefined;
  /** The PacerPro Error body, when the response carried one. */
  readonly body: ErrorBody | undefined;

  constructor(init: ApiErrorInit) {
    super(init.message ?? (init.code === 0 ? 'No response' : reasonPhrase(init.code)), { cause: init.cause });
    this.code = init.code;
    this.responseHeaders = init.responseHeaders ?? new Headers();
    this.responseBody = init.responseBody;
    this.body = init.body;
  }

  /** The server's error code from the body, typed; undefined when there is none or this client does not know it. */
  get errorCode(): ErrorCode | undefined {
    const code = this.body?.code;
    return isErrorCode(code) ? code : undefined;
  }
}

/** Whether `value` is an ApiError: for `catch (e: unknown)` and promise rejections, where TypeScript knows nothing of the error. */
export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError;
}
