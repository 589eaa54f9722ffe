/** A required argument was missing, so no request was sent (the Ruby client's ArgumentError). */
export class RequiredError extends Error {
  override name = 'RequiredError';

  constructor(
    /** The name of the missing parameter, e.g. `user`. */
    readonly field: string,
    operation: string,
  ) {
    super(`Missing the required parameter '${field}' when calling AuthenticationApi.${operation}`);
  }
}
