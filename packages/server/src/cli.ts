import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AUDIT_HELP, auditCommand } from './cli/audit-command.js';
import { CliError } from './cli/cli-error.js';
import { note, print, type Io, type Values } from './cli/io.js';
import { SECRET_HELP, secretCommand } from './cli/secret-command.js';
import { usageMessage } from './cli/usage-error.js';
import { usersCommand } from './cli/users-command.js';
import { isClusterWorker, leaveCluster, runPrimary, stopWithPrimary } from './cluster.js';
import { ConfigError, SETTINGS, loadConfig, type AnySetting, type Config } from './config.js';
import { shownDefault } from './config-docs.js';
import { createLogger } from './logger.js';
import { REMOVED_SETTINGS, removedSettingWarnings } from './removed-settings.js';
import { startupFailureMessage } from './startup-failure.js';
import { NotWhileAttachedError, StoreUnavailableError } from './store/store-errors.js';

// pacerpro-auth: serve (the default) | users add/list/passwd/lock/unlock/revoke/delete | audit | import devise | devise detach |
// secret rotate/retire/forget.
// Every failure is one line on stderr and a non-zero exit: 1 for a failed operation, 2 for usage.

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const flagWidth = Math.max(...SETTINGS.map((s) => s.flag.length)) + 2;
const envWidth = Math.max(...SETTINGS.map((s) => s.env.length));
/** The default as --help shows it: the docs' wording without its Markdown; nothing for an unset one. */
const helpDefault = (setting: AnySetting) => {
  const shown = shownDefault(setting).replaceAll('`', '');
  return shown === 'unset' ? '' : ` (default ${shown})`;
};
const settingsHelp = SETTINGS.map((s) => `  --${s.flag.padEnd(flagWidth)} ${s.env.padEnd(envWidth)}  ${s.describe}${helpDefault(s)}`).join(
  '\n',
);

const HELP = {
  main: `Usage: pacerpro-auth [command] [options]

The PacerPro session authentication server.

Commands:
  serve                    run the HTTP server (the default)
  users add EMAIL          create a user (password from a prompt or --password-stdin)
  users list               list users
  users passwd EMAIL       set a new password (also logs the user out everywhere)
  users lock EMAIL         refuse logins and tokens of a user
  users unlock EMAIL       allow them again
  users revoke EMAIL       log a user out everywhere (spins the jti)
  users delete EMAIL       delete a user
  audit                    show the audit trail (logins, refreshes, logouts, user changes)
  import devise            copy users from a Rails app with Devise + devise-jwt (ids, jtis, bcrypt hashes)
  secret rotate|retire     rotate the generated JWT secret, or stop verifying the previous ones
  devise detach            leave attached mode: copy the users of the Devise table into our own

Options:
  -h, --help               show help for a command: pacerpro-auth users --help
  -v, --version            print the version
`,
  serve: `Usage: pacerpro-auth serve [options]

Runs the HTTP server. Each option can also be given as the environment variable beside it;
a flag wins over the environment.

Options:${' '.repeat(flagWidth - 3)}Environment:
${settingsHelp}
`,
  users: `Usage: pacerpro-auth users <add|list|passwd|lock|unlock|revoke|delete> [EMAIL] [options]

Options:
  --password-stdin         read the password from standard input instead of prompting
  --json                   print machine-readable JSON
  --database-url URL       DATABASE_URL: SQLite path or postgres:// URL (default ./data/pacerpro.db)
`,
};

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
  json: { type: 'boolean' },
  'password-stdin': { type: 'boolean' },
  // import devise
  from: { type: 'string' },
  csv: { type: 'string' },
  table: { type: 'string' },
  'dry-run': { type: 'boolean' },
  // secret
  force: { type: 'boolean' },
  // audit
  user: { type: 'string' },
  since: { type: 'string' },
  limit: { type: 'string' },
  ...Object.fromEntries(SETTINGS.map((s) => [s.flag, { type: 'string' }])),
  // Still parsed, so that a removed flag is warned about instead of refused as unknown.
  ...Object.fromEntries(REMOVED_SETTINGS.map((s) => [s.flag, { type: 'string' }])),
} as const;

function parse(argv: string[]): { positionals: string[]; values: Values } {
  try {
    const { positionals, values } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    return { positionals, values: values as Values };
  } catch (error) {
    throw new CliError(usageMessage(error as Error, argv), 2);
  }
}

/** Resolves once serving has started (a cluster's primary: once it has stopped, with its exit code). */
async function serve(config: Config): Promise<number | undefined> {
  const logger = createLogger(config.logLevel);
  if (config.workers > 1 && !isClusterWorker()) return runPrimary(config, logger);
  // Loaded here, not at the top: a cluster's primary never runs the app, so it never loads it.
  const { closeOnSignals, startServer } = await import('./server.js');
  const server = await startServer(config, logger).catch((error: unknown) => {
    leaveCluster(); // a worker's channel to its primary would keep it alive: let it exit and report
    throw error;
  });
  logger.info({ url: server.url, database: server.store.dialect }, `PacerPro auth listening on ${server.url}`);
  if (server.metricsUrl) logger.info({ url: server.metricsUrl }, `metrics on ${server.metricsUrl}`);
  const stop = closeOnSignals(server, logger);
  if (isClusterWorker()) stopWithPrimary(stop);
  return undefined;
}

export async function main(argv: string[], io: Io): Promise<number> {
  let config: Config | undefined;
  try {
    const { positionals, values } = parse(argv);
    const [command = 'serve', ...rest] = positionals;
    if (values.version) return (print(io, VERSION), 0);
    if (values.help) {
      const topic = positionals[0];
      // Loaded only when used: it brings in pg, which SQLite-only commands never need.
      if (topic === 'import') return (print(io, (await import('./cli/import-devise.js')).IMPORT_HELP), 0);
      if (topic === 'devise') return (print(io, (await import('./cli/devise-command.js')).DEVISE_HELP), 0);
      const topics: Record<string, string> = { users: HELP.users, serve: HELP.serve, audit: AUDIT_HELP, secret: SECRET_HELP };
      print(io, topics[topic ?? ''] ?? HELP.main);
      return 0;
    }
    for (const warning of removedSettingWarnings(io.env, values)) io.stderr.write(`pacerpro-auth: warning: ${warning}\n`);
    if (command === 'devise') {
      const { deviseCommand } = await import('./cli/devise-command.js');
      config = loadConfig(io.env, values);
      return await deviseCommand(rest, values, config, (text) => print(io, text), note(io));
    }
    if (command === 'import') {
      const { importCommand } = await import('./cli/import-devise.js');
      config = loadConfig(io.env, values);
      return await importCommand(rest, values, config, (text) => print(io, text), note(io));
    }
    if (!['serve', 'users', 'audit', 'secret'].includes(command))
      throw new CliError(`unknown command "${command}". See pacerpro-auth --help`, 2);
    if (command === 'serve' && rest.length > 0) throw new CliError(`unexpected argument "${rest[0]}". See pacerpro-auth serve --help`, 2);
    config = loadConfig(io.env, values);
    if (command === 'serve') return (await serve(config)) ?? 0;
    else if (command === 'users') await usersCommand(rest, values, config, io);
    else if (command === 'secret') await secretCommand(rest, values, config, io);
    else await auditCommand(rest, values, config, io);
    return 0;
  } catch (error) {
    const known =
      error instanceof CliError ||
      error instanceof ConfigError ||
      error instanceof StoreUnavailableError ||
      error instanceof NotWhileAttachedError;
    const named = config === undefined ? undefined : startupFailureMessage(error, config);
    const message = named ?? (known ? (error as Error).message : `unexpected failure: ${(error as Error)?.message ?? String(error)}`);
    io.stderr.write(`pacerpro-auth: ${message}\n`);
    return error instanceof CliError ? error.exitCode : 1;
  }
}
