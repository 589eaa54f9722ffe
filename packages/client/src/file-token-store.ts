import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseDateTime } from './models.js';
import type { StoredSession, TokenStore } from './token-store.js';

/**
 * Keeps the session in one JSON file readable by its owner only (mode 0600). Writes go to a
 * temporary file that is renamed over the old one, so a crash or a concurrent reader never sees
 * half a file. Node only: the browser build never imports this module.
 */
export class FileTokenStore implements TokenStore {
  constructor(readonly path: string) {}

  async get(): Promise<StoredSession | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const session = parseStoredSession(text);
    if (!session) throw new Error(`${this.path} is not a PacerPro session file: delete it or log in again`);
    return session;
  }

  async set(session: StoredSession): Promise<void> {
    const directory = dirname(this.path);
    await mkdir(directory, { recursive: true, mode: 0o700 });
    const temporary = join(directory, `.${basename(this.path)}.${randomUUID()}.tmp`);
    const text = `${JSON.stringify({ ...session, expiresAt: session.expiresAt.toISOString() }, null, 2)}\n`;
    try {
      // 'wx' with mode 0600: the token is never, even for a moment, in a file others may read.
      const file = await open(temporary, 'wx', 0o600);
      try {
        await file.writeFile(text);
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

  async clear(): Promise<void> {
    await rm(this.path, { force: true });
  }
}

function parseStoredSession(text: string): StoredSession | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null) return undefined;
  const { jwtToken, expiresAt, email, basePath } = json as Record<string, unknown>;
  const expiry = parseDateTime(expiresAt);
  if (typeof jwtToken !== 'string' || !jwtToken || !expiry) return undefined;
  const session: StoredSession = { jwtToken, expiresAt: expiry };
  if (typeof email === 'string') session.email = email;
  if (typeof basePath === 'string') session.basePath = basePath;
  return session;
}
