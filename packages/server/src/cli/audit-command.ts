import { emailKey } from '../auth/email.js';
import { parseDuration, type Config } from '../config.js';
import { openCliStore } from './cli-database.js';
import type { AuditEvent } from '../store/audit.js';
import { CliError } from './cli-error.js';
import { note, print, type Io, type Values } from './io.js';

// `pacerpro-auth audit [--user EMAIL] [--since DURATION] [--limit N] [--json]`: reads the audit
// trail, oldest first, the newest N events of the selection.

export const AUDIT_HELP = `Usage: pacerpro-auth audit [options]

Shows the audit trail: logins (succeeded, failed, throttled), refreshes, logouts and user changes,
with time, user id, e-mail, client IP, user agent and request id. Oldest first.

Options:
  --user EMAIL             only events of this user, or naming this e-mail (failed logins)
  --since DURATION         only events newer than this, e.g. 90m, 24h, 7d
  --limit N                at most the N newest events (default 1000)
  --json                   one JSON array, for scripts
  --database-url URL       DATABASE_URL: SQLite path or postgres:// URL (default ./data/pacerpro.db)
`;

function formatEvent(e: AuditEvent): string {
  const field = (name: string, value: string | number | undefined) => `${name}=${value ?? '-'}`;
  return [
    e.at.toISOString(),
    e.event.padEnd(21),
    field('user', e.userId),
    field('email', e.email),
    field('ip', e.ip),
    field('request', e.requestId),
    field('lane', e.lane),
    `agent=${e.userAgent === undefined ? '-' : JSON.stringify(e.userAgent)}`,
  ].join('  ');
}

export async function auditCommand(args: string[], values: Values, config: Config, io: Io): Promise<void> {
  if (args.length > 0) throw new CliError(`unexpected argument "${args[0]}". See pacerpro-auth audit --help`, 2);
  const since = typeof values.since === 'string' ? parseDuration(values.since) : undefined;
  if (typeof values.since === 'string' && since === undefined) {
    throw new CliError(`--since="${values.since}" is not valid: expected a duration such as 90m, 24h or 7d`, 2);
  }
  const limit = typeof values.limit === 'string' ? Number(values.limit) : 1000;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 100_000) {
    throw new CliError(`--limit="${values.limit}" is not valid: expected an integer from 1 to 100000`, 2);
  }
  const store = await openCliStore(config, 'reads-only', note(io));
  try {
    const email = typeof values.user === 'string' ? emailKey(values.user) : undefined;
    const user = email === undefined ? undefined : await store.users.findUserByEmail(email);
    const events = await store.audit.listAuditEvents({
      userId: user?.id,
      email,
      since: since === undefined ? undefined : new Date(Date.now() - since * 1000),
      limit,
    });
    if (values.json) return print(io, JSON.stringify(events));
    print(io, events.length === 0 ? 'no audit events' : events.map(formatEvent).join('\n'));
  } finally {
    await store.close();
  }
}
