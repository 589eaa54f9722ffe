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
