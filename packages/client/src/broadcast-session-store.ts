// A session store that every tab and window of an origin shares, over BroadcastChannel, with Web
// Storage as an option. No locks: our refresh keeps the jti, so two tabs refreshing at once is
// harmless; what matters is that every tab hears of every login, refresh and logout at once, and
// that a logout wins over anything that started before it (the generation).
import { type DeviceAccount, deviceKey, withDeviceCredential, withoutDeviceCredential } from './device-credential.js';
import { parseDateTime } from './models.js';
import type { SessionChangeReason, SessionEnd, StoreChange, StoredSession, StoreListener, TokenStore } from './token-store.js';

export interface BroadcastSessionStoreOptions {
  /** Stores of one origin with the same name share their session. Default `pacerpro-session`. */
  name?: string;
  /**
   * Also keep the state in Web Storage, under `name`: `localStorage` (every tab, across restarts) or
   * `sessionStorage` (this tab, across reloads). Default: memory only, which no script can read
   * once the page is closed; see the README on the trade-off.
   */
  persist?: Storage;
  /** How long the first get() waits for another tab to tell it the session, when nothing is persisted. Default 100. */
  peerWaitMs?: number;
}

/** What the tabs share: the session, the generation (logouts and refusals seen), the device credentials. */
interface SharedState {
  readonly generation: number;
  readonly session?: StoredSession | undefined;
  readonly devices: Readonly<Record<string, string>>;
}

type Message =
  | { readonly kind: 'hello' }
  | { readonly kind: 'state'; readonly reason: SessionChangeReason | 'answer'; readonly state: SharedState };

const EMPTY: SharedState = { generation: 0, devices: {} };

/**
 * Whether `theirs` replaces `mine`: a newer generation always does (its logout ends any session of
 * an older one); within a generation, the latest session does; nothing from an older one does.
 */
export function supersedes(theirs: SharedState, mine: SharedState): boolean {
  return theirs.generation > mine.generation || (theirs.generation === mine.generation && theirs.session !== undefined);
}

export class BroadcastSessionStore implements TokenStore {
  readonly #channel: BroadcastChannel;
  readonly #storage: Storage | undefined;
  readonly #key: string;
  readonly #listeners = new Set<StoreListener>();
  #state: SharedState;
  /** Whether this store has heard from another tab, changed the state itself, or stopped waiting: get() then answers at once. */
  #settled = false;
  /** What the first get() waits for when nothing is persisted: another tab's answer, or peerWaitMs. */
  #answered: Promise<void> | undefined;
  #waiting: (() => void) | undefined;
  readonly #peerWaitMs: number;

  constructor(options: BroadcastSessionStoreOptions = {}) {
    this.#key = options.name ?? 'pacerpro-session';
    this.#storage = options.persist;
    this.#peerWaitMs = options.peerWaitMs ?? 100;
    this.#state = this.#read() ?? EMPTY;
    this.#channel = new BroadcastChannel(this.#key);
    // Node keeps the process alive for an open channel; a store must not.
    (this.#channel as { unref?: () => void }).unref?.();
    this.#channel.onmessage = (event: MessageEvent<Message>) => this.#receive(event.data);
    this.#post({ kind: 'hello' });
  }

  /**
   * The session; synchronous when Web Storage holds the state, otherwise it waits up to peerWaitMs
   * for another tab to tell it (a tab opened later starts from the shared session).
   */
  get(): StoredSession | undefined | Promise<StoredSession | undefined> {
    if (this.#settled || this.#read() !== undefined) return this.#state.session;
    this.#answered ??= new Promise((resolve) => {
      const timer = setTimeout(() => this.#settle(), this.#peerWaitMs);
      this.#waiting = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    return this.#answered.then(() => this.#state.session);
  }

  /** Keeps and announces the session, unless a logout newer than its generation is known here. */
  set(session: StoredSession, reason: 'login' | 'refresh' = 'refresh'): void {
    if ((session.generation ?? 0) >= this.generation())
      this.#change({ ...this.#state, generation: session.generation ?? 0, session }, reason);
  }

  clear(end: SessionEnd = { reason: 'logout', generation: this.generation() + 1 }): void {
    const generation = Math.max(end.generation, this.generation());
    this.#change({ generation, devices: this.#state.devices }, end.reason);
  }

  /** The newest generation known here or, with Web Storage, to any tab that wrote it. */
  generation(): number {
    return Math.max(this.#state.generation, this.#read()?.generation ?? 0);
  }

  subscribe(listener: StoreListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  getDeviceCredential(account: DeviceAccount): string | undefined {
    return this.#state.devices[deviceKey(account)];
  }

  setDeviceCredential(account: DeviceAccount, credential: string): void {
    this.#change({ ...this.#state, devices: withDeviceCredential(this.#state.devices, deviceKey(account), credential) });
  }

  forgetDeviceCredential(account: DeviceAccount): void {
    this.#change({ ...this.#state, devices: withoutDeviceCredential(this.#state.devices, deviceKey(account)) });
  }

  /** Stops listening to the other tabs. */
  close(): void {
    this.#channel.close();
    this.#listeners.clear();
  }

  #settle(): void {
    this.#settled = true;
    this.#waiting?.();
    this.#waiting = undefined;
  }

  #change(state: SharedState, reason?: SessionChangeReason): void {
    this.#state = state;
    this.#settle();
    this.#write();
    // A change of the device credentials alone goes out as an answer: it begins or ends no session.
    this.#post({ kind: 'state', reason: reason ?? 'answer', state });
  }

  #receive(message: Message): void {
    if (message?.kind === 'hello') {
      if (this.#state !== EMPTY) this.#post({ kind: 'state', reason: 'answer', state: this.#state });
      return;
    }
    if (message?.kind !== 'state') return;
    const theirs = message.state;
    const mine = this.#state;
    const newer = supersedes(theirs, mine);
    // The sender's device credentials are the newest when its state is, or when they are all it sends.
    const devices = newer || message.reason === 'answer' ? theirs.devices : mine.devices;
    this.#state = newer ? { ...theirs, devices } : { ...mine, devices };
    this.#write();
    this.#settle();
    const change = newer ? changeOf(message.reason, theirs, mine) : undefined;
    if (change) for (const listener of [...this.#listeners]) listener(change);
  }

  #post(message: Message): void {
    this.#channel.postMessage(message);
  }

  /** The persisted state; undefined without Web Storage, or when it holds nothing readable. */
  #read(): SharedState | undefined {
    const text = this.#storage?.getItem(this.#key);
    return text ? parseState(text) : undefined;
  }

  // Never over a newer generation another tab wrote meanwhile: its message is on its way to us.
  #write(): void {
    if (!this.#storage || (this.#read()?.generation ?? 0) > this.#state.generation) return;
    const { session, ...rest } = this.#state;
    this.#storage.setItem(this.#key, JSON.stringify(session ? { ...rest, session } : rest));
  }
}

/** The change `theirs` makes to `mine`, named for the listeners; undefined when the session is the same. */
function changeOf(reason: SessionChangeReason | 'answer', theirs: SharedState, mine: SharedState): StoreChange | undefined {
  if (theirs.session) {
    if (theirs.session.jwtToken === mine.session?.jwtToken && theirs.generation === mine.generation) return undefined;
    return { reason: reason === 'refresh' || (reason === 'answer' && mine.session) ? 'refresh' : 'login', session: theirs.session };
  }
  if (theirs.generation === mine.generation) return undefined;
  return { reason: reason === 'rejected' ? 'rejected' : 'logout', session: undefined, generation: theirs.generation };
}

function parseState(text: string): SharedState | undefined {
  try {
    const json = JSON.parse(text) as { generation?: unknown; session?: Record<string, unknown>; devices?: unknown };
    const generation = typeof json.generation === 'number' ? json.generation : 0;
    const devices =
      typeof json.devices === 'object' && json.devices !== null
        ? Object.fromEntries(Object.entries(json.devices).filter((entry): entry is [string, string] => typeof entry[1] === 'string'))
        : {};
    const stored = json.session;
    const expiresAt = parseDateTime(stored?.expiresAt);
    if (!stored || typeof stored.jwtToken !== 'string' || !expiresAt) return { generation, devices };
    const session: StoredSession = { jwtToken: stored.jwtToken, expiresAt, generation };
    if (typeof stored.email === 'string') session.email = stored.email;
    if (typeof stored.basePath === 'string') session.basePath = stored.basePath;
    return { generation, session, devices };
  } catch {
    return undefined;
  }
}
