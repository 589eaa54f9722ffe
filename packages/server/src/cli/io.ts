import type { Readable, Writable } from 'node:stream';

/** What a CLI command may touch: the three streams and the environment (the process's, or a test's). */
export interface Io {
  /** A terminal's stdin has isTTY and setRawMode; a pipe's has neither. */
  readonly stdin: Readable & { readonly isTTY?: boolean; setRawMode?(mode: boolean): unknown };
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: NodeJS.ProcessEnv;
}

/** Parsed flags, as node:util parseArgs gives them. */
export type Values = Record<string, string | boolean | undefined>;

export function print(io: Io, text: string): void {
  io.stdout.write(`${text}\n`);
}

/** A line for the operator on stderr, apart from the command's output on stdout. */
export function note(io: Io): (line: string) => void {
  return (line) => io.stderr.write(`pacerpro-auth: ${line}\n`);
}
