import { chmod, mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import type { ReadStream } from 'node:tty';
import { parseArgs } from 'node:util';
import { ApiError } from './api-error.js';
import { DEFAULT_BASE_PATH } from './configuration.js';
import { FileTokenStore } from './file-token-store.js';
import { NotAuthenticatedError } from './not-authenticated-error.js';
import { askHidden, askLine, PromptCancelled, readStdin } from './prompt.js';
import { innermostMessage } from './send-request.js';
import { SessionManager } from './session-manager.js';
import type { StoredSession } from './token-store.js';
import { VERSION } from './version.js';

const TIMEOUT_MS = 15_000;
const REFRESH_MARGIN_MS = 60_000;

const HELP: Record<string, string> = {
  pacerpro: `Usage: pacerpro <command> [options]

Commands:
  login     Log in and keep the session for the other commands
  refresh   Extend the session now
  status    Show who is logged in, where, and until when (reads the saved session only)
  token     Print a valid token for scripts, refreshing it first when it is near expiry
  logout    Revoke every token of the user on the server and forget the session

Options:
  -h, --help     Show help; \`pacerpro <command> --help\` for a command
  -v, -V, --version  Print the version

Environment:
  PACERPRO_BASE_URL  The API base URL when --base-url is not given
  XDG_CONFIG_HOME    The session is kept in $XDG_CONFIG_HOME/pacerpro/session.json (default ~/.config)`,
  login: `Usage: pacerpro login [--base-url URL] [--email EMAIL] [--password-stdin]

Logs in and saves the session, readable by you only (mode 0600).
Asks for the e-mail address when --email is not given, and for the password,
without echoing it, when --password-stdin is not given.

Options:
  --base-url URL    The API base URL (else $PACERPRO_BASE_URL, the saved session's, ${DEFAULT_BASE_PATH})
  --email EMAIL     The account's e-mail address
  --password-stdin  Read the password from standard input
  -h, --help        Show this help`,
  refresh: `Usage: pacerpro refresh [--base-url URL]

Trades the saved token for a new one with a later expiry.

Options:
  --base-url URL  The API base URL (else $PACERPRO_BASE_URL, the saved session's)
  -h, --help      Show this help`,
  status: `Usage: pacerpro status [--base-url URL]

Shows who is logged in, at which server, when the session expires and how long is left.
Sends no request. Exits with 1 when there is no valid session.

Options:
  --base-url URL  The API base URL (else $PACERPRO_BASE_URL, the saved session's)
  -h, --help      Show this help`,
  token: `Usage: pacerpro token [--base-url URL]

Prints a valid token on standard output, refreshing it first when it expires within a minute,
e.g. curl -H "Authorization: Bearer $(pacerpro token)" ...

Options:
  --base-url URL  The API base URL (else $PACERPRO_BASE_URL, the saved session's)
  -h, --help      Show this help`,
  logout: `Usage: pacerpro logout [--base-url URL] [--forget-device]

Revokes every token of the user on the server (logout everywhere) and deletes the saved session.
The device credential stays, so that this device gets in while strangers guess the password.

Options:
  --base-url URL   The API base URL (else $PACERPRO_BASE_URL, the saved session's)
  --forget-device  Also forget the account's device credential (before handing the device on)
  -h, --help       Show this help`,
};

/** A failure with its own one-line message and exit status (2: the command line was wrong). */
class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

interface Options {
  'base-url'?: string;
  email?: string;
  'password-stdin'?: boolean;
  'forget-device'?: boolean;
  help?: boolean;
}

/** Where a command line reads and writes: the process's own streams, or a test's. */
export interface CliIo {
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
}

const PROCESS_IO: CliIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };

interface Context {
  io: CliIo;
  baseUrl: string;
  store: FileTokenStore;
  manager: SessionManager;
  saved: StoredSession | undefined;
  options: Options;
}

type Command = (context: Context) => Promise<void>;

const COMMANDS: Record<string, Command> = { login, refresh, status, token, logout };

/** Runs one command line; resolves to the exit status. Messages go to stderr, data (the token) to stdout. */
export async function main(argv: string[], io: CliIo = PROCESS_IO): Promise<number> {
  try {
    await run(argv, io);
    return 0;
  } catch (error) {
    io.stderr.write(`pacerpro: ${describe(error)}\n`);
    if (error instanceof CliError) return error.exitCode;
    return error instanceof PromptCancelled ? 130 : 1;
  }
}

async function run(argv: string[], io: CliIo): Promise<void> {
  const { env } = io;
  const [name, ...rest] = argv;
  if (name === undefined || name.startsWith('-')) {
    // -V as before, and -v as pacerpro-auth has it (parseArgs takes one short letter per option).
    const versionFlags = { version: { type: 'boolean', short: 'V' }, 'version-v': { type: 'boolean', short: 'v' } } as const;
    const { values } = parse(argv, { help: { type: 'boolean', short: 'h' }, ...versionFlags }, 'pacerpro');
    if (values.version || values['version-v']) return print(io, `pacerpro ${VERSION}`);
    if (values.help) return print(io, HELP.pacerpro!);
    throw new CliError(`a command is needed\n\n${HELP.pacerpro}`, 2);
  }
  if (name === 'help') return print(io, HELP[rest[0] ?? 'pacerpro'] ?? HELP.pacerpro!);
  const command = COMMANDS[name];
  if (!command) throw new CliError(`unknown command '${name}': see \`pacerpro --help\``, 2);

  const commandOptions: OptionSpecs =
    name === 'login'
      ? { email: { type: 'string' }, 'password-stdin': { type: 'boolean' } }
      : name === 'logout'
        ? { 'forget-device': { type: 'boolean' } }
        : {};
  const { values: options } = parse(
    rest,
    { 'base-url': { type: 'string' }, help: { type: 'boolean', short: 'h' }, ...commandOptions },
    name,
  );
  if (options.help) return print(io, HELP[name]!);

  const store = new FileTokenStore(sessionPath(env));
  // A damaged file must not stop `login` from writing a good one; the other commands report it.
  const saved = await store.get().catch((error: unknown) => {
    if (name === 'login') return undefined;
    throw error;
  });
  // After a logout the file still names the server, so the next login goes where the last one did.
  const lastBaseUrl = saved?.basePath ?? (await store.lastBasePath());
  const baseUrl = checkedBaseUrl(options['base-url'] ?? (env.PACERPRO_BASE_URL || undefined) ?? lastBaseUrl ?? DEFAULT_BASE_PATH);
  const manager = new SessionManager({
    configuration: { basePath: baseUrl, timeoutMs: TIMEOUT_MS },
    store,
    refreshMarginMs: REFRESH_MARGIN_MS,
  });
  try {
    await command({ io, baseUrl, store, manager, saved, options });
  } catch (error) {
    throw error instanceof ApiError ? new CliError(describeApiError(error, baseUrl)) : error;
  }
}

type OptionSpecs = Record<string, { type: 'string' | 'boolean'; short?: string }>;

function parse(args: string[], options: OptionSpecs, command: string): { values: Options & { version?: boolean; 'version-v'?: boolean } } {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }) as {
      values: Options & { version?: boolean; 'version-v'?: boolean };
    };
  } catch (error) {
    const help = command === 'pacerpro' ? 'pacerpro --help' : `pacerpro ${command} --help`;
    throw new CliError(`${(error as Error).message}: see \`${help}\``, 2);
  }
}

function sessionPath(env: NodeJS.ProcessEnv): string {
  // The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
  const configHome = env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(configHome, 'pacerpro', 'session.json');
}

function checkedBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliError(`'${value}' is not a URL: give the API base URL, e.g. ${DEFAULT_BASE_PATH}`, 2);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(`'${value}' is not an http(s) URL`, 2);
  return value.replace(/\/+$/, '');
}

async function login({ io, baseUrl, store, manager, options }: Context): Promise<void> {
  // A terminal's stdin is a tty.ReadStream (raw mode for the password); anything else is a pipe.
  const terminal = io.stdin.isTTY === true ? { input: io.stdin as ReadStream, output: io.stderr } : undefined;
  const email = options.email ?? (terminal ? await askLine('E-mail: ', terminal) : undefined);
  if (!email) throw new CliError('an e-mail address is needed: pass --email', 2);
  let password: string;
  if (options['password-stdin']) password = await readStdin(io.stdin);
  else if (terminal) password = await askHidden('Password: ', terminal);
  else throw new CliError('standard input is not a terminal: pass --password-stdin and the password on standard input', 2);
  if (!password) throw new CliError('the password is empty', 2);

  // The directory is ours alone; tighten it even if an earlier version or a user made it wider.
  const directory = dirname(store.path);
  await mkdir(directory, { recursive: true, mode: 0o700 });
  await chmod(directory, 0o700);
  const session = await manager.login({ email, password });
  print(io, `Logged in as ${email} at ${baseUrl}; the session expires ${describeExpiry(session.expiresAt)}.`);
}

async function refresh({ io, manager }: Context): Promise<void> {
  const session = await manager.refresh();
  print(io, `Session refreshed; it expires ${describeExpiry(session.expiresAt)}.`);
}

async function status({ io, baseUrl, saved }: Context): Promise<void> {
  if (!saved) throw new CliError('not logged in: run `pacerpro login`');
  if (saved.basePath && saved.basePath !== baseUrl) {
    throw new CliError(`not logged in at ${baseUrl} (the saved session is for ${saved.basePath}): run \`pacerpro login\``);
  }
  const who = saved.email ? `Logged in as ${saved.email}` : 'Logged in';
  if (saved.expiresAt.getTime() <= Date.now()) {
    throw new CliError(`the session expired ${describeExpiry(saved.expiresAt)}: run \`pacerpro login\``);
  }
  print(io, `${who} at ${saved.basePath ?? baseUrl}\nSession expires ${describeExpiry(saved.expiresAt)}`);
}

async function token({ io, manager }: Context): Promise<void> {
  print(io, await manager.token());
}

async function logout({ io, manager, options }: Context): Promise<void> {
  await manager.ready();
  const session = manager.current();
  if (!session) return print(io, 'Not logged in; nothing to revoke.');
  await manager.logout({ forgetDevice: options['forget-device'] === true }).catch((error: unknown) => {
    if (!(error instanceof NotAuthenticatedError)) throw error;
    // An expired token revokes nothing, and the CLI keeps no password to log in again with.
    throw new CliError(
      "the saved session had expired, so the account's other sessions were not revoked: run `pacerpro login`, then `pacerpro logout`",
    );
  });
  print(io, `Logged out${session.email ? ` ${session.email}` : ''}: every token of the account is revoked.`);
}

function print(io: CliIo, text: string): void {
  io.stdout.write(`${text}\n`);
}

function describeExpiry(expiresAt: Date): string {
  const left = expiresAt.getTime() - Date.now();
  return `at ${expiresAt.toISOString()} (${left >= 0 ? `in ${formatDuration(left)}` : `${formatDuration(-left)} ago`})`;
}

export function formatDuration(milliseconds: number): string {
  const total = Math.round(milliseconds / 1000);
  const [days, hours, minutes, seconds] = [
    Math.floor(total / 86_400),
    Math.floor(total / 3600) % 24,
    Math.floor(total / 60) % 60,
    total % 60,
  ];
  if (days) return `${days}d ${hours}h`;
  if (hours) return `${hours}h ${minutes}m`;
  if (minutes) return `${minutes}m ${seconds}s`;
  return `${seconds}s`;
}

function describeApiError(error: ApiError, baseUrl: string): string {
  if (error.code === 0) {
    const cause = error.cause as Error | undefined;
    const detail = cause?.name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS} ms` : innermostMessage(cause);
    return `cannot reach ${baseUrl}: ${detail}`;
  }
  if (error.code >= 200 && error.code < 300) return `unexpected answer from ${baseUrl}: ${error.message}`;
  const status = `${error.code} ${error.message}`;
  if (error.code === 401) return `login refused (${status}): ${error.body?.message ?? 'wrong e-mail or password'}`;
  if (error.code === 429) {
    const retryAfter = error.responseHeaders.get('retry-after');
    return `too many attempts (${status})${retryAfter ? `: try again in ${retryAfter} s` : ''}`;
  }
  return `${baseUrl} answered ${status}${error.body ? `: ${error.body.message}` : ''}`;
}

function describe(error: unknown): string {
  if (error instanceof CliError) return error.message;
  if (error instanceof PromptCancelled) return 'cancelled';
  if (error instanceof NotAuthenticatedError) {
    return error.cause ? 'the session has expired or was revoked: run `pacerpro login`' : 'not logged in: run `pacerpro login`';
  }
  return error instanceof Error ? error.message : String(error);
}
