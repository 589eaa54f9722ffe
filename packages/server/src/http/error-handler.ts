import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuthError, LoginThrottledError } from '../auth/auth-errors.js';
import { ApiProblem, ERRORS, errorBody, type ErrorCode } from '../errors.js';
import { StoreUnavailableError } from '../store/store-errors.js';
import { SESSION_METHODS, SESSION_PATH } from './session-path.js';

// Every answer that is not a success goes out as PacerPro's Error body with a stable code, whether
// it came from our routes, from the session logic (its errors carry no HTTP: their status, headers
// and body are rendered here), from the store, from Fastify itself (body too large, bad media type)
// or from a bug.

/**
 * How soon to retry when the database does not answer. The outage is not ours to predict; a short
 * wait lets clients come back as soon as it is over, and their retry policy spaces the attempts.
 */
const STORE_RETRY_AFTER_SECONDS = 1;

const retryAfter = (seconds: number) => ({ 'retry-after': String(seconds) });

const FASTIFY_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_body',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed_json',
  FST_ERR_BAD_URL: 'not_found',
};

/**
 * A 413 names the limit and the setting that raises it: the client alone cannot tell whether its
 * body or the server's configuration is wrong.
 */
export function bodyTooLargeMessage(limitBytes: number | undefined): string {
  if (limitBytes === undefined) return ERRORS.body_too_large.message;
  return `The request body is over the limit of ${limitBytes} bytes (PACERPRO_BODY_LIMIT on the server).`;
}

/** The answer a failure gets: its code, message and extra headers (the status comes with the code). */
export function toProblem(error: unknown, bodyLimitBytes?: number): ApiProblem {
  if (error instanceof ApiProblem) return error;
  if (error instanceof LoginThrottledError) return new ApiProblem(error.code, retryAfter(error.retryAfterSeconds));
  if (error instanceof AuthError) return new ApiProblem(error.code);
  if (error instanceof StoreUnavailableError) return new ApiProblem('service_unavailable', retryAfter(STORE_RETRY_AFTER_SECONDS));
  const code = FASTIFY_CODES[(error as FastifyError).code ?? ''];
  const status = (error as FastifyError).statusCode;
  if (code === 'body_too_large' || (code === undefined && status === 413)) {
    return new ApiProblem('body_too_large', {}, bodyTooLargeMessage(bodyLimitBytes));
  }
  if (code) return new ApiProblem(code);
  if (status === 415) return new ApiProblem('unsupported_media_type');
  if (status === 400) return new ApiProblem('invalid_body');
  return new ApiProblem('internal_error');
}

/** Answers any failure as PacerPro's Error body: for the app's error handler and the auth plugin. */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  const problem = toProblem(error, request.routeOptions.bodyLimit);
  if (problem.status >= 500) {
    // Logged with the request id; the client sees only the generic message.
    request.log.error({ err: error }, 'request failed');
  }
  if (problem.status === 401) reply.header('www-authenticate', 'Bearer realm="pacerpro"');
  return reply.code(problem.status).headers(problem.headers).send(errorBody(problem.code, problem.message));
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => sendProblem(request, reply, error));
  app.setNotFoundHandler((request, reply) => {
    // Any method not routed on the session (PUT, PATCH, OPTIONS without CORS, and TRACE, PROPFIND …
    // which Fastify routes nowhere) names an existing resource with the wrong method.
    if (request.url.split('?')[0] === SESSION_PATH) {
      return sendProblem(request, reply, new ApiProblem('method_not_allowed', { allow: SESSION_METHODS }));
    }
    return reply.code(ERRORS.not_found.status).send(errorBody('not_found'));
  });
}
