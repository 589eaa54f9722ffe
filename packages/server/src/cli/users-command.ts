import { emailKey } from '../auth/email.js';
import { argon2ParamsFrom, createPasswordHasher, hashingFrom } from '../auth/passwords.js';
import type { Config } from '../config.js';
import { openCliStore } from './cli-database.js';
import type { AuditEventType } from '../store/audit.js';
import type { Store } from '../store/store.js';
import { CliError } from './cli-error.js';
import { note, print, type Io, type Values } from './io.js';
import { promptHidden, readPasswordFromStdin } from './read-password.js';
import * as users from './users.js';

// `pacerpro-auth users <action> [EMAIL]`: each change is reported on stdout and recorded in the
// audit_events table (not in a log: the operator's terminal is the CLI's output).

const CLI_AGENT = 'pacerpro-auth cli';

interface Action {
  /** Says what happened: "<verb> alice@example.com (id 1)". */
  readonly verb: string;
  readonly event: AuditEventType;
  readonly needsPassword?: boolean;
  run(store: Store, email: string, password: string, config: Config): Promise<users.UserView>;
}

const hasher = (config: Config) => createPasswordHasher(argon2ParamsFrom(config), hashingFrom(config));
const policy = (config: Config) => ({ minLength: config.passwordMinLength });

const ACTIONS: Readonly<Record<string, Action>> = {
  add: {
    verb: 'added',
    event: 'user_added',
    needsPassword: true,
    run: async (store, email, password, config) => users.addUser(store, await hasher(config), policy(config), email, password),
  },
  passwd: {
    verb: 'password changed, sessions revoked for',
    event: 'user_password_changed',
    needsPassword: true,
    run: async (store, email, password, config) => users.changePassword(store, await hasher(config), policy(config), email, password),
  },
  lock: { verb: 'locked', event: 'user_locked', run: (store, email) => users.setLocked(store, email, true) },
  unlock: { verb: 'unlocked', event: 'user_unlocked', run: (store, email) => users.setLocked(store, email, false) },
  revoke: { verb: 'revoked every session of', event: 'user_revoked', run: (store, email) => users.revokeSessions(store, email) },
  delete: { verb: 'deleted', event: 'user_deleted', run: (store, email) => users.deleteUser(store, email) },
};

async function readNewPassword(command: string, values: Values, io: Io): Promise<string> {
  if (values['password-stdin']) {
    const password = await readPasswordFromStdin(io.stdin);
    // Checked before the length policy: "too short" would hide that the pipe was empty.
    if (password === '')
      throw new CliError(
        `no password was read from standard input: pipe one in, e.g. printf '%s\\n' "$PASSWORD" | pacerpro-auth users ${command} EMAIL --password-stdin`,
      );
    // Two lines are most often the password piped twice, as the prompt asks for it: the user would
    // be left with a password nobody can type at a login form.
    if (/[\r\n]/.test(password))
      throw new CliError(
        `standard input held more than one line: --password-stdin reads the password once, on one line, e.g. printf '%s\\n' "$PASSWORD" | pacerpro-auth users ${command} EMAIL --password-stdin; nothing was changed`,
      );
    return password;
  }
  const password = await promptHidden('Password: ', io.stdin, io.stderr);
  const again = await promptHidden('Repeat password: ', io.stdin, io.stderr);
  if (password !== again) throw new CliError('the two passwords differ; nothing was changed');
  return password;
}

export async function usersCommand(args: string[], values: Values, config: Config, io: Io): Promise<void> {
  const [name, email, ...extra] = args;
  if (!name) throw new CliError('missing users command. See pacerpro-auth users --help', 2);
  if (name === 'list') {
    if (email) throw new CliError(`unexpected argument "${email}"`, 2);
    const store = await openCliStore(config, 'reads-only', note(io));
    try {
      const list = await users.listUsers(store);
      if (values.json) return print(io, JSON.stringify(list));
      if (list.length === 0) return print(io, 'no users');
      const status = (u: users.UserView) => (u.locked ? `locked${u.lockedUntil ? ` until ${u.lockedUntil}` : ''}` : 'active');
      return print(io, ['id\temail\tstatus', ...list.map((u) => `${u.id}\t${u.email}\t${status(u)}`)].join('\n'));
    } finally {
      await store.close();
    }
  }
  const action = ACTIONS[name];
  if (!action) throw new CliError(`unknown users command "${name}". See pacerpro-auth users --help`, 2);
  if (!email) throw new CliError(`users ${name} needs an EMAIL. See pacerpro-auth users --help`, 2);
  if (extra.length > 0) throw new CliError(`unexpected argument "${extra[0]}"`, 2);

  // Ask for the password before opening the database, so a prompt never holds a lock.
  const password = action.needsPassword ? await readNewPassword(name, values, io) : '';
  const store = await openCliStore(config, name === 'add' ? 'creates-data' : 'reads-only', note(io));
  try {
    const user = await action.run(store, email, password, config);
    await store.audit.appendAuditEvents([
      { at: new Date(), event: action.event, userId: user.id, email: emailKey(user.email), userAgent: CLI_AGENT },
    ]);
    print(io, values.json ? JSON.stringify(user) : `${action.verb} ${user.email} (id ${user.id})`);
    // Devise's table has no column for a lock without an end (locked_at ends after unlock_in).
    if (name === 'lock' && config.deviseUsersTable !== undefined) {
      note(io)(`locked here only: lock ${user.email} in the Rails app too (docs/devise.md, "Running beside Devise")`);
    }
  } finally {
    await store.close();
  }
}
