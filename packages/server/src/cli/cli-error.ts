/** A failure the CLI reports as one line on stderr with a non-zero exit. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    /** 1 for a failed operation, 2 for a usage mistake. */
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}
