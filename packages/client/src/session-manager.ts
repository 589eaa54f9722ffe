import { ApiError } from './api-error.js';
import { AuthenticationApi } from './authentication-api.js';
import { Configuration, type ConfigurationParameters } from './configuration.js';
import type { Session, User } from './models.js';
import { NotAuthenticatedError } from './not-authenticated-error.js';
import { MemoryTokenStore, type StoredSession, type TokenStore } from './token-store.js';

export interface SessionManagerOptions {
  /** Where and how to call the API; its apiKey is ignored (the manager sends its own token). */
  configuration?: Configuration | ConfigurationParameters;
  /** Kept in memory to log in, and to log in again when the server refuses the token. */
  credentials?: User;
  /** A session (or a bare token) to start from instead of logging in. */
  session?: Session | string;
  /** Default: memory only. */
  store?: TokenStore;
  /** Refresh this long before expiresAt (at most half the life of a token it was just given). Default 60000. */
  refreshMarginMs?: number;
  /** Milliseconds since the epoch; injectable so tests need not wait for a token to age. */
  now?: () => number;
}

export type SessionChangeReason = 'login' | 'refresh' | 'logout' | 'rejected';

export interface SessionChange {
  reason: SessionChangeReason;
  /** The new session; undefined after logout or when the server refused the token. */
  session: Session | undefined;
}

export type SessionListener = (change: SessionChange) => void;

const isUnauthorized = (error: unknown) => error instanceof ApiError && error.code === 401;

/**
 * Keeps one session fresh: hands out a valid token, refreshes it before it expires, lets every
 * concurrent caller share the one login or refresh in flight, and logs in again when the server
 * refuses the token and credentials are at hand.
 */
export class SessionManager {
  readonly #api: AuthenticationApi;
  readonly #basePath: string;
  readonly #store: TokenStore;
  readonly #marginMs: number;
  readonly #now: () => number;
  readonly #listeners = new Set<SessionListener>();
  #credentials: User | undefined;
  #session: StoredSession | undefined;
  #refreshAt = 0;
  #loading: Promise<void> | undefined;
  #renewal: Promise<Session> | undefined;

  constructor(options: SessionManagerOptions = {}) {
    const configuration =
      options.configuration instanceof Configuration ? options.configuration : new Configuration(options.configuration);
    this.#api = new AuthenticationApi(configuration.with({ apiKey: () => this.#session?.jwtToken }));
    this.#basePath = configuration.basePath;
    this.#store = options.store ?? new MemoryTokenStore();
    this.#marginMs = options.refreshMarginMs ?? 60_000;
    this.#now = options.now ?? Date.now;
    this.#credentials = options.credentials;
    const given = options.session;
    // A bare token's expiry is unknown: treat it as due, so the first token() refreshes it.
    if (given) this.#use(typeof given === 'string' ? { jwtToken: given, expiresAt: new Date(0) } : given);
  }

  /** A token that is valid now, logging in or refreshing first when needed. */
  async token(): Promise<string> {
    return (await this.session()).jwtToken;
  }

  /** A session that is valid now, logging in or refreshing first when needed. */
  async session(): Promise<Session> {
    await this.#ready();
    if (this.#renewal) return this.#renewal;
    if (this.#session && this.#now() < this.#refreshAt) return toSession(this.#session);
    return this.#serialize(() => this.#renew());
  }

  /** The session as held now, without any request; undefined when there is none. */
  async current(): Promise<StoredSession | undefined> {
    await this.#ready();
    return this.#session && { ...this.#session };
  }

  /** Logs in (with these credentials, which are then kept, or the ones given before). */
  async login(credentials?: User): Promise<Session> {
    // A store that cannot be read (say a damaged file) must not stand in the way of a fresh login.
    await this.#ready().catch(() => undefined);
    const using = credentials ?? this.#credentials;
    if (!using) throw new NotAuthenticatedError('login() needs credentials: an email and a password');
    return this.#serialize(() => this.#login(using));
  }

  /** Refreshes now, whatever the expiry; logs in again if the token is refused and credentials are at hand. */
  async refresh(): Promise<Session> {
    await this.#ready();
    return this.#renewal ?? this.#serialize(() => this.#renew());
  }

  /**
   * Tells the manager the server refused this token on some other call, so the next token()
   * gets a new one. Pass the token that failed: a newer one already fetched is left alone.
   */
  invalidate(token?: string): void {
    if (this.#session && (token === undefined || token === this.#session.jwtToken)) this.#refreshAt = 0;
  }

  /** Revokes every token of the user on the server, then forgets the session and the credentials. */
  async logout(): Promise<void> {
    await this.#ready();
    await this.#renewal?.catch(() => undefined);
    this.#credentials = undefined;
    if (!this.#session) return;
    try {
      await this.#api.sessionDelete();
    } catch (error) {
      // A refused token is already as dead as logout would make it.
      if (!isUnauthorized(error)) throw error;
    }
    await this.#clear('logout');
  }

  /** Calls `listener` after every login, refresh, logout or refusal; returns the unsubscribe function. */
  onChange(listener: SessionListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #ready(): Promise<void> {
    this.#loading ??= (async () => {
      const stored = await this.#store.get();
      // A token belongs to the server that issued it.
      if (!this.#session && stored && (!stored.basePath || stored.basePath === this.#basePath)) this.#use(stored);
    })().catch((error: unknown) => {
      this.#loading = undefined; // try the store again next time
      throw error;
    });
    return this.#loading;
  }

  // One login or refresh at a time; the ones asked for meanwhile run after it.
  #serialize(operation: () => Promise<Session>): Promise<Session> {
    const previous = this.#renewal;
    const renewal: Promise<Session> = (previous ? previous.then(operation, operation) : operation()).finally(() => {
      if (this.#renewal === renewal) this.#renewal = undefined;
    });
    this.#renewal = renewal;
    return renewal;
  }

  async #renew(): Promise<Session> {
    const current = this.#session;
    const expired = current !== undefined && this.#now() >= current.expiresAt.getTime();
    // An expired token can only be refused; with credentials, skip straight to logging in.
    if (current && !(expired && this.#credentials)) {
      try {
        return await this.#save(await this.#api.sessionGet(), 'refresh');
      } catch (error) {
        if (!isUnauthorized(error)) throw error;
        if (!this.#credentials) {
          await this.#clear('rejected');
          throw new NotAuthenticatedError('The server refused the session (expired or revoked): log in again', { cause: error });
        }
      }
    }
    if (!this.#credentials) throw new NotAuthenticatedError('No session: log in first');
    try {
      return await this.#login(this.#credentials);
    } catch (error) {
      // The old token was refused or has expired, and the credentials are refused too: keep neither.
      if (isUnauthorized(error) && this.#session) await this.#clear('rejected');
      throw error;
    }
  }

  // Credentials are kept only once the server took them, so a mistyped password does not replace good ones.
  async #login(credentials: User): Promise<Session> {
    const session = await this.#api.sessionPost(credentials);
    this.#credentials = credentials;
    return this.#save(session, 'login', credentials.email);
  }

  async #save(session: Session, reason: SessionChangeReason, email = this.#session?.email): Promise<Session> {
    const stored: StoredSession = { ...toSession(session), basePath: this.#basePath };
    if (email !== undefined) stored.email = email;
    this.#use(stored, true);
    await this.#store.set(stored);
    this.#emit(reason, session);
    return toSession(session);
  }

  async #clear(reason: SessionChangeReason): Promise<void> {
    this.#session = undefined;
    this.#refreshAt = 0;
    await this.#store.clear();
    this.#emit(reason, undefined);
  }

  /** Holds `session`; `fresh` when it was just issued, so its remaining life is its whole life. */
  #use(session: StoredSession, fresh = false): void {
    this.#session = { ...session };
    const expiresAt = session.expiresAt.getTime();
    // A margin longer than half a token's life would refresh on almost every call. The life is only
    // known for a token just issued; one loaded from a store is refreshed within the full margin.
    const margin = fresh ? Math.min(this.#marginMs, (expiresAt - this.#now()) / 2) : this.#marginMs;
    this.#refreshAt = expiresAt - Math.max(0, margin);
  }

  #emit(reason: SessionChangeReason, session: Session | undefined): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener({ reason, session: session && toSession(session) });
      } catch (error) {
        // A faulty listener must not fail the login that already happened; report it like EventTarget does.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}

function toSession(session: Session): Session {
  return { jwtToken: session.jwtToken, expiresAt: new Date(session.expiresAt.getTime()) };
}
