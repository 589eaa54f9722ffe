// A stand-in for workers/password-hasher.js, to test hash-threads.ts's handling of threads without
// spending real hashes: it answers with the id of the thread that did the job, after a moment, and
// exits (as a crashed binding would take the thread down) when the password is "exit".
import { parentPort, threadId } from 'node:worker_threads';

parentPort.on('message', ({ id, password }) => {
  if (password === 'exit') process.exit(3);
  setTimeout(() => parentPort.postMessage({ id, result: `thread ${threadId}` }), 20);
});
