import type { Session } from './models.js';

/** A session as kept between runs: whose it is and which server issued it, when known. */
export interface StoredSession extends Session {
  email?: string;
  basePath?: string;
}

/** Where a SessionManager keeps its session; any method may be async (a file, IndexedDB, a keychain). */
export interface TokenStore {
  get(): StoredSession | undefined | Promise<StoredSession | undefined>;
  set(session: StoredSession): void | Promise<void>;
  clear(): void | Promise<void>;
}

/** The default store: nothing survives the process or the page. */
export class MemoryTokenStore implements TokenStore {
  #session: StoredSession | undefined;

  get(): StoredSession | undefined {
    return this.#session;
  }

  set(session: StoredSession): void {
    this.#session = session;
  }

  clear(): void {
    this.#session = undefined;
  }
}
