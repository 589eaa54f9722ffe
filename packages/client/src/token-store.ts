import { type DeviceAccount, deviceKey, withDeviceCredential } from './device-credential.js';
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
  /** Forgets the session; device credentials stay (they identify the client, not the session). */
  clear(): void | Promise<void>;
  /**
   * The device credential the server gave this client for the account (PacerPro-Device), if the
   * store keeps them; a store without these two methods still works, and the manager then keeps
   * the credential in memory.
   */
  getDeviceCredential?(account: DeviceAccount): string | undefined | Promise<string | undefined>;
  setDeviceCredential?(account: DeviceAccount, credential: string): void | Promise<void>;
}

/** The default store: nothing survives the process or the page. */
export class MemoryTokenStore implements TokenStore {
  #session: StoredSession | undefined;
  #devices: Record<string, string> = {};

  get(): StoredSession | undefined {
    return this.#session;
  }

  set(session: StoredSession): void {
    this.#session = session;
  }

  clear(): void {
    this.#session = undefined;
  }

  getDeviceCredential(account: DeviceAccount): string | undefined {
    return this.#devices[deviceKey(account)];
  }

  setDeviceCredential(account: DeviceAccount, credential: string): void {
    this.#devices = withDeviceCredential(this.#devices, deviceKey(account), credential);
  }
}
