import { ApiError } from './api-error.js';
import { AuthenticationApi, type ApiResponse } from './authentication-api.js';
import { type DeviceAccount, deviceCredentialFrom, deviceKey } from './device-credential.js';
import { Configuration, type ConfigurationParameters } from './configuration.js';
import type { Session, User } from './models.js';
import { NotAuthenticatedError } from './not-authenticated-error.js';
import { MemoryTokenStore, type SessionChangeReason, type StoreChange, type StoredSession, type TokenStore } from './token-store.js';
import { hasPage, startTimer, watchWake } from './wake-signals.js';

export type { SessionChangeReason } from './token-store.js';

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
  /**
   * Refresh without being asked: on a timer at the refresh time, and when the page wakes (becomes
   * visible, comes back online, gets the focus). Default: true in a page, false elsewhere (a
   * command or a server asks for a token when it needs one). In Node the timer never keeps the
   * process alive.
   */
  keepFresh?: boolean;
}

export interface LogoutOptions {
  /**
   * Also forget this device's credential (PacerPro-Device) for the account. Default false: it is
   * what lets the owner log in while someone else is guessing the password, so only forget it
   * when the device is being handed on.
   */
  forgetDevice?: boolean;
}

/** The session as held now, frozen: the same object until something changes (useSyncExternalStore). */
export type SessionSnapshot = Readonly<StoredSession> | undefined;

export type SessionSubscriber = (snapshot: SessionSnapshot) => void;

export interface SessionChange {
  reason: SessionChangeReason;
  /** The new session; undefined after logout or when the server refused the token. */
  session: Session | undefined;
}

export type SessionListener = (change: SessionChange) => void;

const isUnauthorized = (error: unknown): error is ApiError => error instanceof ApiError && error.code === 401;

/** After a refresh fails for a passing reason (network, 5xx) while the token still works, try again this soon. */
const RETRY_FAILED_REFRESH_MS = 5_000;
/** A server clock this far from ours is taken into account; closer, the Date header's whole seconds are noise. */
const CLOCK_SKEW_THRESHOLD_MS = 5_000;

/** How far the server's clock is ahead of ours, from the Date header of an answer; 0 when it is not readable. */
function clockOffsetMs(headers: Headers, receivedAt: number): number {
  // Cross-origin browsers hide Date unless the server exposes it; then our own clock is all there is.
  const serverTime = Date.parse(headers.get('date') ?? '');
  if (Number.isNaN(serverTime)) return 0;
  const offset = serverTime - receivedAt;
  return Math.abs(offset) >= CLOCK_SKEW_THRESHOLD_MS ? offset : 0;
}

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
  /** Our clock, for reading the Date header against. */
  readonly #localNow: () => number;
  /** The server's time as best we know it: expiry is always judged by this. */
  readonly #now: () => number;
  readonly #listeners = new Set<SessionListener>();
  #credentials: User | undefined;
  #session: StoredSession | undefined;
  #refreshAt = 0;
  /** The server's clock minus ours (see clockOffsetMs): expiresAt is the server's time. */
  #clockOffsetMs = 0;
  #loading: Promise<void> | undefined;
  /** The last of the logins and refreshes queued to run one at a time. */
  #renewal: Promise<Session> | undefined;
  /** The refresh token()/session() started, which their concurrent callers share (a login() is not shared). */
  #automatic: Promise<Session> | undefined;
  /** Device credentials by account, for a store that keeps none itself. */
  readonly #devices = new Map<string, string>();
  /** Logouts and refusals seen, here or (through the store) in other tabs: an answer to a request started before one is dropped. */
  #generation = 0;
  #snapshot: SessionSnapshot;
  readonly #subscribers = new Set<SessionSubscriber>();
  readonly #keepFresh: boolean;
  #cancelTimer: () => void = () => undefined;
  readonly #stop: (() => void)[] = [];
  #closed = false;

  constructor(options: SessionManagerOptions = {}) {
    const configuration = options.configuration instanceof Configuration ? options.configuration : new Configuration(options.configuration);
    this.#api = new AuthenticationApi(configuration.with({ apiKey: () => this.#session?.jwtToken }));
    this.#basePath = configuration.basePath;
    this.#store = options.store ?? new MemoryTokenStore();
    this.#marginMs = options.refreshMarginMs ?? 60_000;
    const now = options.now ?? Date.now;
    this.#localNow = now;
    this.#now = () => now() + this.#clockOffsetMs;
    this.#credentials = options.credentials;
    this.#keepFresh = options.keepFresh ?? hasPage();
    const given = options.session;
    // A bare token's expiry is unknown: treat it as due, so the first token() refreshes it.
    if (given) this.#use(typeof given === 'string' ? { jwtToken: given, expiresAt: new Date(0) } : given);
    const unsubscribe = this.#store.subscribe?.((change) => this.#heard(change));
    if (unsubscribe) this.#stop.push(unsubscribe);
    if (this.#keepFresh) this.#stop.push(watchWake(() => this.#check()));
    this.#schedule();
    // Read the store now: a synchronous one (memory, Web Storage) is then in current() from the start.
    this.#ready().catch(() => undefined);
  }

  /** A token that is valid now, logging in or refreshing first when needed. */
  async token(): Promise<string> {
    return (await this.session()).jwtToken;
  }

  /** A session that is valid now, logging in or refreshing first when needed. */
  async session(): Promise<Session> {
    await this.#ready();
    const fresh = this.#fresh();
    if (fresh) return fresh;
    // A login() in flight is waited for but not shared: its mistyped password must not fail this call.
    if (!this.#automatic) {
      const automatic = this.#serialize(() => this.#renewIfDue()).finally(() => {
        if (this.#automatic === automatic) this.#automatic = undefined;
      });
      this.#automatic = automatic;
    }
    return this.#automatic;
  }

  /**
   * The session as held now, without any request; undefined when there is none (or an async store
   * has not been read yet: await ready()). Frozen, and the same object until something changes, so
   * it can be React's getSnapshot. A bound function: pass it as it is.
   */
  readonly current = (): SessionSnapshot => this.#snapshot;

  /**
   * Calls `listener` with the snapshot now and after every change (here or in another tab); returns
   * the unsubscribe function. This is the Svelte store contract and fits React's
   * useSyncExternalStore; a bound function: pass it as it is.
   */
  readonly subscribe = (listener: SessionSubscriber): (() => void) => {
    this.#subscribers.add(listener);
    listener(this.#snapshot);
    return () => this.#subscribers.delete(listener);
  };

  /** Resolves once the store has been read; rejects when it cannot be (a damaged file). */
  ready(): Promise<void> {
    return this.#ready();
  }

  /** Stops the timer, the wake events and listening to the store; the manager still answers calls. */
  close(): void {
    this.#closed = true;
    this.#cancelTimer();
    for (const stop of this.#stop.splice(0)) stop();
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
    return this.#automatic ?? this.#serialize(() => this.#renew());
  }

  /**
   * Tells the manager the server refused this token on some other call, so the next token()
   * gets a new one. Pass the token that failed: a newer one already fetched is left alone.
   */
  invalidate(token?: string): void {
    if (this.#session && (token === undefined || token === this.#session.jwtToken)) this.#refreshAt = 0;
  }

  /**
   * Revokes every token of the user on the server, then forgets the session and the credentials,
   * here and in every tab sharing the store. When the call fails (network, 5xx) both are kept, so
   * logout() can be tried again. The device credential is kept unless `forgetDevice` is asked for.
   */
  async logout({ forgetDevice = false }: LogoutOptions = {}): Promise<void> {
    await this.#ready();
    await this.#renewal?.catch(() => undefined);
    const email = this.#session?.email ?? this.#credentials?.email;
    if (this.#session) await this.#revoke();
    this.#credentials = undefined;
    if (forgetDevice && email !== undefined) {
      const account = { basePath: this.#basePath, email };
      this.#devices.delete(deviceKey(account));
      await this.#store.forgetDeviceCredential?.(account);
    }
  }

  /** Calls `listener` after every login, refresh, logout or refusal; returns the unsubscribe function. */
  onChange(listener: SessionListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #ready(): Promise<void> {
    if (this.#loading) return this.#loading;
    const retry = (error: unknown) => {
      this.#loading = undefined; // try the store again next time
      throw error;
    };
    try {
      const stored = this.#store.get();
      // A synchronous store is taken at once, so that current() knows the session before any await.
      this.#loading = isPromiseLike(stored)
        ? Promise.resolve(stored).then((s) => this.#adopt(s), retry)
        : Promise.resolve(this.#adopt(stored));
    } catch (error) {
      return Promise.reject(error).catch(retry);
    }
    return this.#loading;
  }

  #adopt(stored: StoredSession | undefined): void {
    this.#generation = Math.max(this.#generation, this.#store.generation?.() ?? 0);
    // A token belongs to the server that issued it; one from before the newest logout is stale.
    if (!this.#session && stored && this.#ours(stored)) this.#use(stored);
  }

  #ours(stored: StoredSession): boolean {
    return (!stored.basePath || stored.basePath === this.#basePath) && (stored.generation ?? 0) >= this.#generation;
  }

  /** A change another tab made to the shared store. */
  #heard(change: StoreChange): void {
    if (change.session) {
      if (!this.#ours(change.session)) return;
      this.#generation = change.session.generation ?? this.#generation;
      this.#use(change.session, true);
      this.#emit(change.reason, change.session);
      return;
    }
    if (change.generation <= this.#generation) return;
    this.#generation = change.generation;
    // A logout anywhere is the user's wish everywhere: logging in again here with held credentials would undo it.
    if (change.reason === 'logout') this.#credentials = undefined;
    if (this.#session) this.#forget(change.reason);
  }

  /** On a timer or a wake event: renew now if due, judged by the clock (a timer may have fired late, or early). */
  #check(): void {
    if (!this.#session || this.#now() < this.#refreshAt) {
      this.#schedule();
      return;
    }
    this.session().catch(() => undefined); // a refusal is reported by onChange ('rejected'); anything else waits for the next signal
  }

  #schedule(): void {
    this.#cancelTimer();
    if (this.#keepFresh && !this.#closed && this.#session) {
      this.#cancelTimer = startTimer(this.#refreshAt - this.#now(), () => this.#check());
    }
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

  /** The held session while it needs no refresh yet. */
  #fresh(): Session | undefined {
    return this.#session && this.#now() < this.#refreshAt ? toSession(this.#session) : undefined;
  }

  // The refresh token()/session() asked for, unless the login or refresh queued before it made it needless.
  async #renewIfDue(): Promise<Session> {
    const fresh = this.#fresh();
    if (fresh) return fresh;
    const held = this.#session;
    try {
      return await this.#renew();
    } catch (error) {
      // Refreshing ahead of expiry failed for a passing reason: the held token still works, so hand it
      // out and try again shortly rather than fail every call until the server answers.
      const left = held ? held.expiresAt.getTime() - this.#now() : 0;
      if (held && this.#session === held && error instanceof ApiError && !isUnauthorized(error) && left > 0) {
        this.#refreshAt = this.#now() + Math.min(RETRY_FAILED_REFRESH_MS, left / 2);
        this.#schedule();
        return toSession(held);
      }
      throw error;
    }
  }

  // DELETE with the held token. A 401 means the token is dead; whether the account's other tokens
  // are dead too depends on why, and only a live token can revoke them.
  async #revoke(): Promise<void> {
    try {
      await this.#api.sessionDelete();
    } catch (error) {
      if (!isUnauthorized(error)) throw error;
      // Revoked already: by a logout elsewhere, or by this one's first attempt before a retry.
      if (!this.#diedOfAge(error)) return this.#clear('logout');
      if (!this.#credentials) {
        await this.#clear('logout');
        throw new NotAuthenticatedError(
          "The session had expired, so the account's other sessions could not be revoked: log in and log out again to revoke them",
          { cause: error },
        );
      }
      const credentials = this.#credentials;
      await this.#serialize(() => this.#login(credentials));
      await this.#api.sessionDelete().catch((again: unknown) => {
        if (!isUnauthorized(again)) throw again; // a 401 now: revoked in between
      });
    }
    await this.#clear('logout');
  }

  /** Whether a 401 refused the token for its age (not a revocation), by the server's code or else by the clock. */
  #diedOfAge(error: ApiError): boolean {
    // A server that sends a code has said why, even with a code this client does not know yet.
    if (error.body?.code !== undefined) return error.errorCode === 'token_expired' || error.errorCode === 'session_too_old';
    return this.#session !== undefined && this.#now() >= this.#session.expiresAt.getTime();
  }

  async #renew(): Promise<Session> {
    const current = this.#session;
    const expired = current !== undefined && this.#now() >= current.expiresAt.getTime();
    // An expired token can only be refused; with credentials, skip straight to logging in.
    if (current && !(expired && this.#credentials)) {
      try {
        const generation = this.#generation;
        return await this.#save(await this.#timed(() => this.#api.sessionGetWithHttpInfo()), 'refresh', generation);
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
  // The account's device credential goes with every login, and a new one from the answer replaces it.
  async #login(credentials: User): Promise<Session> {
    const account = { basePath: this.#basePath, email: credentials.email };
    const generation = this.#generation;
    const held = await this.#deviceCredential(account);
    let issued: string | undefined;
    const session = await this.#timed(async () => {
      const response = await this.#api.sessionPostWithHttpInfo(credentials, { deviceCredential: held });
      issued = deviceCredentialFrom(response.headers);
      return response;
    });
    // Kept even when the session is dropped below: it identifies this device, not the session.
    if (issued !== undefined && issued !== held) await this.#keepDeviceCredential(account, issued);
    const saved = await this.#save(session, 'login', generation, credentials.email);
    this.#credentials = credentials;
    return saved;
  }

  async #deviceCredential(account: DeviceAccount): Promise<string | undefined> {
    // A store that cannot be read must not stand in the way of a login: it goes without one.
    const stored = this.#store.getDeviceCredential
      ? await Promise.resolve(this.#store.getDeviceCredential(account)).catch(() => undefined)
      : undefined;
    return stored ?? this.#devices.get(deviceKey(account));
  }

  async #keepDeviceCredential(account: DeviceAccount, credential: string): Promise<void> {
    this.#devices.set(deviceKey(account), credential);
    await this.#store.setDeviceCredential?.(account, credential);
  }

  /** The call's Session, learning from its Date header how far the server's clock is from ours. */
  async #timed(call: () => Promise<ApiResponse<Session>>): Promise<Session> {
    const { data, headers } = await call();
    this.#clockOffsetMs = clockOffsetMs(headers, this.#localNow());
    return data;
  }

  /**
   * Holds and stores the answer to a login or refresh started in `generation`, unless a logout or
   * refusal came since (here, or in another tab through the store): then the answer is dropped, so
   * a late answer never brings back a session that was ended.
   */
  async #save(session: Session, reason: 'login' | 'refresh', generation: number, email = this.#session?.email): Promise<Session> {
    const stored: StoredSession = { ...toSession(session), basePath: this.#basePath, generation };
    if (email !== undefined) stored.email = email;
    if (generation === this.#generation) await this.#store.set(stored, reason);
    // A shared store may know of a newer logout than we do (its news is on the way): then it kept nothing.
    const newest = Math.max(this.#generation, this.#store.generation?.() ?? 0);
    if (generation !== newest) {
      if (newest > this.#generation && this.#session) this.#forget('logout');
      this.#generation = newest;
      throw new NotAuthenticatedError(`The session ended while this ${reason} was in flight: its answer is dropped`);
    }
    this.#use(stored, true);
    this.#emit(reason, session);
    return toSession(session);
  }

  async #clear(reason: 'logout' | 'rejected'): Promise<void> {
    this.#generation = Math.max(this.#generation, this.#store.generation?.() ?? 0) + 1;
    this.#forget(reason, false);
    await this.#store.clear({ reason, generation: this.#generation });
    this.#emit(reason, undefined);
  }

  /** Drops the held session; `emit` false when the caller emits after the store is written. */
  #forget(reason: 'logout' | 'rejected', emit = true): void {
    this.#session = undefined;
    this.#refreshAt = 0;
    this.#publish();
    this.#schedule();
    if (emit) this.#emit(reason, undefined);
  }

  /** Holds `session`; `fresh` when it was just issued, so its remaining life is its whole life. */
  #use(session: StoredSession, fresh = false): void {
    this.#session = { ...session, expiresAt: new Date(session.expiresAt.getTime()) };
    const expiresAt = session.expiresAt.getTime();
    // A margin longer than half a token's life would refresh on almost every call. The life is only
    // known for a token just issued; one loaded from a store is refreshed within the full margin.
    const margin = fresh ? Math.min(this.#marginMs, (expiresAt - this.#now()) / 2) : this.#marginMs;
    this.#refreshAt = expiresAt - Math.max(0, margin);
    this.#publish();
    this.#schedule();
  }

  /** A new frozen snapshot for current(), and the subscribers told of it. */
  #publish(): void {
    const held = this.#session;
    this.#snapshot = held && Object.freeze({ ...held, expiresAt: new Date(held.expiresAt.getTime()) });
    for (const subscriber of [...this.#subscribers]) report(() => subscriber(this.#snapshot));
  }

  #emit(reason: SessionChangeReason, session: Session | undefined): void {
    for (const listener of [...this.#listeners]) report(() => listener({ reason, session: session && toSession(session) }));
  }
}

/** Calls a listener; a faulty one must not fail the login that already happened: it is reported like EventTarget does. */
function report(call: () => void): void {
  try {
    call();
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}

// A store's promise may come from another realm (an iframe, Electron's IPC), where instanceof Promise is false.
function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | undefined)?.then === 'function';
}

function toSession(session: Session): Session {
  return { jwtToken: session.jwtToken, expiresAt: new Date(session.expiresAt.getTime()) };
}
