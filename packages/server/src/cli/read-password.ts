import type { Readable, Writable } from 'node:stream';
import { CliError } from './cli-error.js';

// Passwords never come from argv (visible in `ps` and shell history): either piped on stdin with
// --password-stdin, or typed at a prompt that does not echo.

export async function readPasswordFromStdin(input: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(Buffer.from(chunk as Buffer));
  // One trailing newline is what `echo` and here-strings add; it is not part of the password.
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

interface TtyInput extends Readable {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

/** Reads one line from a terminal in raw mode, echoing nothing. */
export function promptHidden(question: string, input: TtyInput, output: Writable): Promise<string> {
  if (!input.isTTY || !input.setRawMode) {
    return Promise.reject(new CliError('no terminal to prompt for the password on: pipe it in and pass --password-stdin'));
  }
  const setRawMode = input.setRawMode.bind(input);
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (error?: Error) => {
      input.off('data', onData);
      setRawMode(false);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003' || ch === '\u0004') return finish(new CliError('cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    // Raw mode first: anything typed from the moment the question shows must not echo.
    setRawMode(true);
    output.write(question);
    input.resume();
    input.on('data', onData);
  });
}
