import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import type { Config } from './config.js';

// serve --workers N: a primary process forks N workers, each running the whole server; node:cluster
// shares the port among them (the primary accepts connections and hands them out in turn). The
// database is what they share: SQLite in WAL mode with a busy timeout, or PostgreSQL — the same
// arrangement as several nodes, on one machine.
//
// A worker that crashes after it started is replaced; one that fails to start (port taken, database
// unreachable) stops them all, and the primary exits 1 rather than restarting it forever.
// SIGINT/SIGTERM on the primary asks every worker to finish its in-flight requests and close (a
// message, not a signal: under systemd or a terminal the workers may get the same signal directly,
// and a second signal means "exit now"); the primary exits 0 once all have exited cleanly.

const SHUTDOWN = 'pacerpro:shutdown';

export const isClusterWorker = (): boolean => cluster.isWorker;

/** In a worker: the primary's request to shut down, or the primary's death, runs `stop`. */
export function stopWithPrimary(stop: (reason: string) => void): void {
  process.on('message', (message) => {
    if (message === SHUTDOWN) stop('primary asked');
  });
  process.on('disconnect', () => stop('primary gone'));
}

/** In a worker that cannot serve: drops the channel to the primary, which would keep it alive. */
export function leaveCluster(): void {
  if (cluster.isWorker) process.disconnect?.();
}

/** Runs the primary until every worker has stopped; resolves with the exit code. */
export function runPrimary(config: Config, logger: Logger): Promise<number> {
  const started = new Set<number>(); // ids of workers that listened at least once
  let stopping = false;
  let failed = false;
  let done: (code: number) => void;
  const finished = new Promise<number>((resolve) => (done = resolve));

  const fork = () => {
    const worker = cluster.fork();
    worker.once('listening', () => started.add(worker.id));
  };
  const running = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);

  const stopAll = (reason: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason, workers: running().length }, 'shutting down: each worker finishes its in-flight requests');
    for (const worker of running()) {
      if (worker.isConnected()) worker.send(SHUTDOWN);
      else worker.process.kill('SIGTERM');
    }
    if (running().length === 0) done(failed ? 1 : 0);
  };

  cluster.on('exit', (worker, code, signal) => {
    const clean = code === 0 && signal === null;
    if (stopping) {
      if (!clean) failed = true;
      if (running().length === 0) {
        logger.info({ clean: !failed }, failed ? 'all workers stopped, not all cleanly' : 'all workers stopped cleanly');
        done(failed ? 1 : 0);
      }
    } else if (!started.has(worker.id)) {
      logger.error({ pid: worker.process.pid, code, signal }, 'a worker failed to start; stopping the others');
      failed = true;
      stopAll('a worker failed to start');
    } else {
      logger.error({ pid: worker.process.pid, code, signal }, 'a worker stopped unexpectedly; starting another');
      fork();
    }
  });

  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second signal: stop waiting for in-flight requests.
      for (const worker of running()) worker.process.kill('SIGKILL');
      process.exit(1);
    }
    stopAll(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  logger.info({ workers: config.workers }, `starting ${config.workers} workers`);
  for (let i = 0; i < config.workers; i++) fork();
  return finished;
}
