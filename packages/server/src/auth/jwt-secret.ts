import { randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import type { Store } from '../store/store.js';

// One secret for the auth server and every app that trusts its tokens (pacerproAuth): the
// configured one, or else the one kept in their shared database.

/** The configured secret, or the one kept in the database (generated at the first start). */
export async function resolveJwtSecret(config: Config, store: Pick<Store, 'settings'>): Promise<string> {
  return config.jwtSecret ?? store.settings.getOrCreateJwtSecret(randomBytes(48).toString('base64url'));
}
