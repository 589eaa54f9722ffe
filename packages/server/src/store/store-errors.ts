// The errors every part of the store may throw, in a module of their own so that any layer (the
// HTTP error handler, the CLI) can recognise them without depending on a store implementation.

export class DuplicateEmailError extends Error {
  override readonly name = 'DuplicateEmailError';
  constructor(email: string) {
    super(`a user with the e-mail ${email} already exists`);
  }
}

/** The database could not be reached or is busy; the caller should retry later. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

/**
 * An operation the users part does not perform while attached to a live Devise app's users table
 * (the Rails app owns its rows); the message says why and what to do instead.
 */
export class NotWhileAttachedError extends Error {
  override readonly name = 'NotWhileAttachedError';
}
