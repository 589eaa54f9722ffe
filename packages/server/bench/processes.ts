import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

// The servers under test run as child processes, so that the load generator (this process) never
// shares an event loop with them and each one's resident memory is its own.

export interface BenchProcess {
  readonly url: string;
  readonly pid: number;
  /** Peak resident memory (VmHWM) of the process and of each child it forked, in MiB. */
  peakRssMiB(): { readonly total: number; readonly largest: number; readonly processes: number };
  /** CPU time (user + system) the process and its children have used so far, in seconds. */
  cpuSeconds(): number;
  /** The pids of the processes it forked (cluster workers), read from /proc. */
  childPids(): number[];
  /** SIGTERM, then the exit code (SIGKILL after 15 s). */
  stop(): Promise<number | null>;
  /** What the process wrote to its log file: shown when something goes wrong. */
  log(): string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function children(pid: number): number[] {
  try {
    const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return text === '' ? [] : text.split(/\s+/).map(Number);
  } catch {
    return [];
  }
}

/** VmHWM of one process in MiB, 0 once it has gone (or where /proc does not exist). */
function peakRssOf(pid: number): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

// Linux reports CPU times in clock ticks of 1/100 s (USER_HZ) on every architecture Node runs on.
const TICKS_PER_SECOND = 100;

/** utime + stime of one process in seconds, 0 once it has gone. */
function cpuSecondsOf(pid: number): number {
  try {
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Polls url until it answers 2xx; fails at once if the process exits, or after timeoutMs, with its log. */
export async function waitUntilAnswering(url: string, child: ChildProcess, logPath: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${url}: the process exited with ${child.exitCode} before answering:\n${readLog(logPath)}`);
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s:\n${readLog(logPath)}`);
}

function readLog(path: string): string {
  try {
    return readFileSync(path, 'utf8').slice(-4000);
  } catch {
    return '';
  }
}

export interface StartOptions {
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly port: number;
  /** Polled until it answers 2xx. */
  readonly readyPath: string;
  /** stdout and stderr go here: a file, as a deployment's log collector would take them, never a pipe this process must drain. */
  readonly logPath: string;
}

export async function startProcess({ args, env, port, readyPath, logPath }: StartOptions): Promise<BenchProcess> {
  const fd = openSync(logPath, 'a');
  const child = spawn(process.execPath, [...args], { env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : null))));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilAnswering(`${url}${readyPath}`, child, logPath);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const pid = child.pid!;
  return {
    url,
    pid,
    childPids: () => children(pid),
    cpuSeconds: () => [pid, ...children(pid)].reduce((sum, p) => sum + cpuSecondsOf(p), 0),
    peakRssMiB() {
      const peaks = [pid, ...children(pid)].map(peakRssOf);
      return { total: peaks.reduce((a, b) => a + b, 0), largest: Math.max(...peaks), processes: peaks.length };
    },
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(killer);
      return code;
    },
    log: () => readLog(logPath),
  };
}
