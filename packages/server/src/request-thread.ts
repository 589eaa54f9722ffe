import { Worker } from 'node:worker_threads';

// A thread of our own that answers requests (the SQLite audit writer): each
// message goes out with an id, and the thread replies { id, result } or { id, error: { message,
// code? } }. The thread keeps the process alive only while a request waits for its reply, so a CLI
// run ends when its work does. If the thread fails or exits, every request still waiting is
// rejected with that reason and the thread is lost: its owner starts another.

/** How a request failed: the thread's report (e.g. SQLite's message and code), or the thread's loss. */
export interface ThreadFailure {
  readonly message: string;
  readonly code?: string;
}

export class ThreadError extends Error implements ThreadFailure {
  override readonly name = 'ThreadError';
  readonly code?: string;
  constructor({ message, code }: ThreadFailure) {
    super(message);
    if (code !== undefined) this.code = code;
  }
}

export interface RequestThread {
  /** Resolves with the thread's result; rejects with a ThreadError. */
  request(message: object): Promise<unknown>;
  /** True once the thread has failed or exited. */
  lost(): boolean;
  /** Sends `last` (the thread's cue to finish what it was sent and exit) and waits for the exit. */
  close(last: object): Promise<void>;
}

interface Waiter {
  resolve(result: unknown): void;
  reject(error: ThreadError): void;
}

/** `name` says which thread in its errors: "the <name> thread exited (code 1)". */
export function startRequestThread(script: string, name: string, workerData: unknown): RequestThread {
  const worker = new Worker(script, { workerData, execArgv: [] }); // the parent's flags (--eval, --cpu-prof, …) are not the thread's
  worker.unref();
  const waiting = new Map<number, Waiter>();
  let nextId = 0;
  let lostBecause: string | undefined;
  let closing = false; // then the thread keeps the process alive until it has exited

  const settle = (id: number, outcome: { result?: unknown; error?: ThreadFailure }) => {
    const waiter = waiting.get(id);
    waiting.delete(id);
    if (waiting.size === 0 && !closing) worker.unref();
    if (outcome.error) waiter?.reject(new ThreadError(outcome.error));
    else waiter?.resolve(outcome.result);
  };
  worker.on('message', (reply: { id: number; result?: unknown; error?: ThreadFailure }) => settle(reply.id, reply));
  const lose = (why: string) => {
    lostBecause ??= why;
    for (const id of [...waiting.keys()]) settle(id, { error: { message: why } });
  };
  worker.on('error', (error) => lose(`the ${name} thread failed: ${error.message}`));
  worker.on('exit', (code) => lose(`the ${name} thread exited (code ${code})`));

  return {
    request(message) {
      if (lostBecause !== undefined) return Promise.reject(new ThreadError({ message: lostBecause }));
      const id = nextId++;
      worker.ref();
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker.postMessage({ ...message, id });
      });
    },
    lost: () => lostBecause !== undefined,
    async close(last) {
      if (lostBecause !== undefined) return;
      closing = true;
      worker.ref();
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage(last); // messages are handled in order: everything sent before is done first
      await exited;
    },
  };
}
