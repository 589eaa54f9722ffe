import { spawn, type ChildProcess } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { text } from 'node:stream/consumers';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli.js';

// `pacerpro-auth` command lines: runCli calls the CLI's main() in this process, with its own streams
// and environment (a process per command line made the CLI tests the slowest of the suite);
// runBin and startServe run the real, built bin (npm test builds first) where the process is the
// point: serve, the working directory, signals, exit statuses.

export const BIN = fileURLToPath(new URL('../../bin/pacerpro-auth.js', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * A clean environment: no settings leak in from the machine running the tests. The per-IP login
 * limit is off unless a test turns it on, since every test client is 127.0.0.1.
 */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'silent', PACERPRO_IP_LOGIN_LIMIT: '0', ...extra };
}

export async function runCli(args: string[], options: { stdin?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  const [stdout, stderr] = [new PassThrough(), new PassThrough()];
  const code = await main(args, { stdin: new PassThrough().end(options.stdin ?? ''), stdout, stderr, env: cliEnv(options.env) });
  const [out, err] = await Promise.all([text(stdout.end()), text(stderr.end())]);
  return { code, stdout: out, stderr: err };
}

export function runBin(args: string[], options: { stdin?: string; env?: Record<string, string>; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: cliEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

export interface ServeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/** Starts `pacerpro-auth serve --port 0` and waits for the line that says where it listens (logged at info). */
export function startServe(args: string[], env: Record<string, string> = {}): Promise<ServeProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], {
      env: cliEnv({ LOG_LEVEL: 'info', ...env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const exited = new Promise<number | null>((done) => child.on('close', done));
    const onData = (d: Buffer) => {
      output += d.toString();
      const match = /PacerPro auth listening on (https?:\/\/[^"\s]+)/.exec(output);
      if (match) resolve({ child, url: match[1]!, output: () => output, exited });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => reject(new Error(`serve exited with ${code} before listening:\n${output}`)));
  });
}

/**
 * The stderr of a users/audit/import command after its first line, which must say which database
 * it used: the lines a test about something else compares.
 */
export function afterDatabaseNote(stderr: string): string {
  const match = /^pacerpro-auth: (?:database|created a new database): (?:SQLite|PostgreSQL) \S+\n/.exec(stderr);
  if (!match) throw new Error(`stderr does not start with the database it used:\n${stderr}`);
  return stderr.slice(match[0].length);
}
