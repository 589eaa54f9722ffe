import { createInterface } from 'node:readline/promises';
import type { ReadStream } from 'node:tty';

/** A terminal: keys come from its input; questions go to stderr so stdout stays clean for scripts. */
export interface Terminal {
  readonly input: ReadStream;
  readonly output: NodeJS.WritableStream;
}

/** Thrown when the user gives up at a prompt (Ctrl-C, Ctrl-D). */
export class PromptCancelled extends Error {
  override name = 'PromptCancelled';
}

/** Asks for one line on the terminal. */
export async function askLine(question: string, { input, output }: Terminal): Promise<string> {
  const reader = createInterface({ input, output, terminal: true });
  try {
    return (await reader.question(question)).trim();
  } finally {
    reader.close();
  }
}

/** Asks for a secret on the terminal without echoing it. */
export function askHidden(question: string, { input, output }: Terminal): Promise<string> {
  // Raw mode before the question shows: anything typed from then on must not echo.
  input.setRawMode(true);
  output.write(question);
  input.setEncoding('utf8');
  input.resume();
  let secret = '';
  return new Promise((resolve, reject) => {
    const finish = (outcome: () => void) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
      outcome();
    };
    const onData = (chunk: string) => {
      for (const character of chunk) {
        if (character === '\r' || character === '\n') return finish(() => resolve(secret));
        if (character === '\u0003' || (character === '\u0004' && secret === '')) {
          return finish(() => reject(new PromptCancelled('cancelled')));
        }
        if (character === '\u007f' || character === '\b') secret = secret.slice(0, -1);
        else if (character >= ' ') secret += character;
      }
    };
    input.on('data', onData);
  });
}

/** Reads all of stdin (for --password-stdin), without the final line break. */
export async function readStdin(input: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  input.setEncoding('utf8');
  for await (const chunk of input) text += chunk as string;
  return text.replace(/\r?\n$/, '');
}
