import { type DeviceAccount, deviceKey, withDeviceCredential, withoutDeviceCredential } from './device-credential.js';
import type { Session } from './models.js';

/** A session as kept between runs: whose it is, which server issued it, and its generation. */
export interface StoredSession extends Session {
  email?: string;
  basePath?: string;
  /**
   * How many logouts (and refusals) the store had seen when the login or refresh that made this
   * session started. A session from an older generation started before a logout and is stale.
   */
  generation?: number;
}

/** Why a session began or ended. */
export type SessionChangeReason = 'login' | 'refresh' | 'logout' | 'rejected';

/** How a session ended, and the generation that begins with its end. */
export interface SessionEnd {
  readonly reason: 'logout' | 'rejected';
  readonly generation: number;
}

/** A change another holder of the same storage made (another tab, window or process). */
export type StoreChange =
  | { readonly reason: 'login' | 'refresh'; readonly session: StoredSession }
  | { readonly reason: 'logout' | 'rejected'; readonly session: undefined; readonly generation: number };

export type StoreListener = (change: StoreChange) => void;

/**
 * Where a SessionManager keeps its session; any method may be async (a file, IndexedDB, a keychain).
 * Only get, set and clear are required. A store shared between tabs or processes also implements
 * generation and subscribe, so that a logout anywhere ends the session everywhere and no answer
 * that started before it brings the session back (BroadcastSessionStore does; a ServiceWorker or
 * Electron IPC store would do the same over its own carrier).
 */
export interface TokenStore {
  get(): StoredSession | undefined | Promise<StoredSession | undefined>;
  /**
   * Keeps the session. A shared store keeps nothing whose generation is older than its own: that
   * session started before a logout (the manager then reads generation() and drops it too).
   */
  set(session: StoredSession, reason?: 'login' | 'refresh'): void | Promise<void>;
  /** Forgets the session; device credentials stay (they identify the client, not the session). */
  clear(end?: SessionEnd): void | Promise<void>;
  /** The generation of the newest logout or refusal the store knows of (0 when none); synchronous. */
  generation?(): number;
  /** Calls `listener` with every change made through another handle on the same storage; returns the unsubscribe function. */
  subscribe?(listener: StoreListener): () => void;
  /**
   * The device credential the server gave this client for the account (PacerPro-Device), if the
   * store keeps them; a store without these methods still works, and the manager then keeps the
   * credential in memory.
   */
  getDeviceCredential?(account: DeviceAccount): string | undefined | Promise<string | undefined>;
  setDeviceCredential?(account: DeviceAccount, credential: string): void | Promise<void>;
  forgetDeviceCredential?(account: DeviceAccount): void | Promise<void>;
}

/** The default store: nothing survives the process or the page. */
export class MemoryTokenStore implements TokenStore {
  #session: StoredSession | undefined;
  #generation = 0;
  #devices: Record<string, string> = {};

  get(): StoredSession | undefined {
    return this.#session;
  }

  set(session: StoredSession): void {
    if ((session.generation ?? 0) >= this.#generation) this.#session = session;
  }

  clear(end?: SessionEnd): void {
    this.#session = undefined;
    if (end) this.#generation = Math.max(this.#generation, end.generation);
  }

  generation(): number {
    return this.#generation;
  }

  getDeviceCredential(account: DeviceAccount): string | undefined {
    return this.#devices[deviceKey(account)];
  }

  setDeviceCredential(account: DeviceAccount, credential: string): void {
    this.#devices = withDeviceCredential(this.#devices, deviceKey(account), credential);
  }

  forgetDeviceCredential(account: DeviceAccount): void {
    this.#devices = withoutDeviceCredential(this.#devices, deviceKey(account));
  }
}
