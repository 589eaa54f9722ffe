/**
 * A SessionManager has no token to give and no credentials to get one: it never logged in, logged
 * out, or the server refused its token (the 401 is the `cause`). The fix is always to log in again.
 */
export class NotAuthenticatedError extends Error {
  override name = 'NotAuthenticatedError';
}
