/** What a CLI command may touch: the three streams and the environment. */
export interface Io {
  readonly stdin: NodeJS.ReadStream;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
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
