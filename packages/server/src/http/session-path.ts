// The one resource of the API, in a module of its own: the error handler names it in its 405s, and
// importing it from the routes would pull the routes (and the rate limiter) into every app that
// only registers pacerproAuth.

export const SESSION_PATH = '/v1/session';
/** The methods SESSION_PATH answers: the Allow header of the 405 that any other gets (error-handler.ts). */
export const SESSION_METHODS = 'GET, HEAD, POST, DELETE';
