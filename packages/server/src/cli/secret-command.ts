import { randomBytes } from 'node:crypto';
import { retireRefusal, rotate } from '../auth/secret-rotation.js';
import type { Config } from '../config.js';
import { openStore } from '../store/open-store.js';
import type { AuditEventType } from '../store/audit.js';
import type { Store } from '../store/store.js';
import { CliError } from './cli-error.js';
import { print, type Io, type Values } from './io.js';

// `pacerpro-auth secret rotate | retire | forget`: the generated JWT secret, kept in the database.
// Running nodes pick a change up within seconds (auth/jwt-secret.ts watchGeneratedKeys). A secret
// from PACERPRO_JWT_SECRET is rotated by hand instead (README, "Rotating the secret").

export const SECRET_HELP = `Usage: pacerpro-auth secret <rotate|retire|forget> [options]

The JWT secret generated into the database (when PACERPRO_JWT_SECRET is unset):
  rotate    make a new secret; the current one keeps verifying as previous-1 (at most 3 kept)
  retire    stop verifying the previous secrets; refused while tokens may still depend on them
            (within one token lifetime of the rotation, or while a node still sees them in use)
  forget    delete the generated secrets, to move to PACERPRO_JWT_SECRET (needs --force: the
            tokens they signed stop working)

Options:
  --force                  retire or forget even so
  --database-url URL       DATABASE_URL: SQLite path or postgres:// URL (default ./data/pacerpro.db)
`;

const CLI_AGENT = 'pacerpro-auth cli';

async function record(store: Store, event: AuditEventType): Promise<void> {
  await store.audit.appendAuditEvents([{ at: new Date(), event, userAgent: CLI_AGENT }]);
}

export async function secretCommand(args: string[], values: Values, config: Config, io: Io): Promise<void> {
  const [name, ...extra] = args;
  if (!name || !['rotate', 'retire', 'forget'].includes(name)) {
    throw new CliError(`${name ? `unknown secret command "${name}"` : 'missing secret command'}. See pacerpro-auth secret --help`, 2);
  }
  if (extra.length > 0) throw new CliError(`unexpected argument "${extra[0]}". See pacerpro-auth secret --help`, 2);
  if (config.jwtSecret !== undefined && name !== 'forget') {
    throw new CliError(
      'PACERPRO_JWT_SECRET is set: this command rotates only the generated secret. Rotate PACERPRO_JWT_SECRET by hand: ' +
        'move it to PACERPRO_JWT_PREVIOUS_SECRETS_FILE and set a new one (README, "Rotating the secret")',
    );
  }
  const store = await openStore(config);
  try {
    const stored = await store.settings.getJwtSecrets();
    if (!stored) throw new CliError('the database holds no generated secret: the server makes one at its first start');
    if (name === 'rotate') {
      const next = rotate(stored, randomBytes(48).toString('base64url'), new Date());
      if (!(await store.settings.replaceJwtSecrets(stored.current, next.current, next.previous))) {
        throw new CliError('the secret was rotated by someone else meanwhile; nothing was changed');
      }
      await record(store, 'secret_rotated');
      return print(
        io,
        `rotated the JWT secret: running nodes verify the new one within 2 s and sign with it after 5 s; the previous ${next.previous.length === 1 ? 'one verifies' : `${next.previous.length} verify`} until \`pacerpro-auth secret retire\``,
      );
    }
    if (name === 'retire') {
      const refusal = retireRefusal(stored, Date.now(), (config.jwtTtlSeconds + config.jwtLeewaySeconds) * 1000);
      if (refusal && !(values.force && stored.previous.length > 0)) {
        throw new CliError(`${refusal}${stored.previous.length > 0 ? '; retire later, or with --force' : ''}`);
      }
      if (!(await store.settings.replaceJwtSecrets(stored.current, stored.current, []))) {
        throw new CliError('the secret was rotated by someone else meanwhile; nothing was changed');
      }
      await record(store, 'secrets_retired');
      return print(io, `retired ${stored.previous.length} previous JWT secret(s): tokens signed with them are refused from now on`);
    }
    if (!values.force) {
      throw new CliError('secret forget deletes the generated secret and logs out everyone whose token it signed: run it with --force');
    }
    await store.settings.forgetJwtSecrets();
    await record(store, 'secrets_forgotten');
    print(io, 'forgot the generated JWT secrets: start every node with PACERPRO_JWT_SECRET now');
  } finally {
    await store.close();
  }
}
