import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type DeviceAccount, deviceKey, withDeviceCredential, withoutDeviceCredential } from './device-credential.js';
import { parseDateTime } from './models.js';
import type { StoredSession, TokenStore } from './token-store.js';

/** What the file holds: the session (when logged in), the last server, the device credentials by account. */
interface FileContents {
  readonly session?: StoredSession;
  readonly basePath?: string;
  readonly devices: Readonly<Record<string, string>>;
}

/**
 * Keeps the session in one JSON file readable by its owner only (mode 0600), next to the device
 * credentials (PacerPro-Device) of the accounts logged in from here, which outlive a logout. Writes
 * go to a temporary file that is renamed over the old one, so a crash or a concurrent reader never
 * sees half a file. Node only: the browser build never imports this module.
 */
export class FileTokenStore implements TokenStore {
  constructor(readonly path: string) {}

  async get(): Promise<StoredSession | undefined> {
    return (await this.#read())?.session;
  }

  async set(session: StoredSession): Promise<void> {
    const devices = (await this.#readOrEmpty()).devices;
    await this.#write({ session, devices, ...(session.basePath ? { basePath: session.basePath } : {}) });
  }

  /** Forgets the session; the server it was for and the device credentials stay. */
  async clear(): Promise<void> {
    const { basePath, devices } = await this.#readOrEmpty();
    if (Object.keys(devices).length === 0 && basePath === undefined) return rm(this.path, { force: true });
    await this.#write({ devices, ...(basePath ? { basePath } : {}) });
  }

  /** The server of the last session, also after a logout: where the next login goes by default. */
  async lastBasePath(): Promise<string | undefined> {
    return (await this.#readOrEmpty()).basePath;
  }

  async getDeviceCredential(account: DeviceAccount): Promise<string | undefined> {
    return (await this.#readOrEmpty()).devices[deviceKey(account)];
  }

  async setDeviceCredential(account: DeviceAccount, credential: string): Promise<void> {
    const contents = await this.#readOrEmpty();
    await this.#write({ ...contents, devices: withDeviceCredential(contents.devices, deviceKey(account), credential) });
  }

  async forgetDeviceCredential(account: DeviceAccount): Promise<void> {
    const contents = await this.#readOrEmpty();
    await this.#write({ ...contents, devices: withoutDeviceCredential(contents.devices, deviceKey(account)) });
  }

  async #read(): Promise<FileContents | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const contents = parseContents(text);
    if (!contents) throw new Error(`${this.path} is not a PacerPro session file: delete it or log in again`);
    return contents;
  }

  /** The contents, or nothing kept when the file is missing or damaged (a write then replaces it). */
  async #readOrEmpty(): Promise<FileContents> {
    return (await this.#read().catch(() => undefined)) ?? { devices: {} };
  }

  async #write({ session, basePath, devices }: FileContents): Promise<void> {
    const directory = dirname(this.path);
    await mkdir(directory, { recursive: true, mode: 0o700 });
    const temporary = join(directory, `.${basename(this.path)}.${randomUUID()}.tmp`);
    const json = {
      ...(session ? { ...session, expiresAt: session.expiresAt.toISOString() } : {}),
      ...(basePath && !session?.basePath ? { basePath } : {}),
      ...(Object.keys(devices).length > 0 ? { devices } : {}),
    };
    try {
      // 'wx' with mode 0600: the token is never, even for a moment, in a file others may read.
      const file = await open(temporary, 'wx', 0o600);
      try {
        await file.writeFile(`${JSON.stringify(json, null, 2)}\n`);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temporary, this.path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }
}

function parseContents(text: string): FileContents | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const { jwtToken, expiresAt, email, basePath, devices } = json as Record<string, unknown>;
  const kept = typeof devices === 'object' && devices !== null && !Array.isArray(devices) ? devices : {};
  const contents = {
    devices: Object.fromEntries(Object.entries(kept).filter((entry): entry is [string, string] => typeof entry[1] === 'string')),
    ...(typeof basePath === 'string' ? { basePath } : {}),
  };
  if (jwtToken === undefined && expiresAt === undefined) return contents; // logged out: no session, devices kept
  const expiry = parseDateTime(expiresAt);
  if (typeof jwtToken !== 'string' || !jwtToken || !expiry) return undefined;
  const session: StoredSession = { jwtToken, expiresAt: expiry };
  if (typeof email === 'string') session.email = email;
  if (typeof basePath === 'string') session.basePath = basePath;
  return { ...contents, session };
}
