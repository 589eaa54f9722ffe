import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import { createLogger } from './logger.js';
import { createMetrics } from './metrics/metrics.js';
import { startMetricsServer, type MetricsServer } from './metrics/metrics-server.js';
import { openStore } from './store/open-store.js';
import type { Store } from './store/store.js';

// The process: open the store (migrations run there), build the app, listen, and on SIGINT/SIGTERM
// stop accepting, let in-flight requests finish, then close the database cleanly.

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly store: Store;
  /** The URL the server listens on, e.g. http://127.0.0.1:3000 (https:// with TLS) */
  readonly url: string;
  /** Where /metrics is served when PACERPRO_METRICS_PORT is set. */
  readonly metricsUrl: string | undefined;
  close(): Promise<void>;
}

export async function startServer(config: Config, logger: Logger = createLogger(config.logLevel)): Promise<RunningServer> {
  const store = await openStore(config, { warn: (message) => logger.warn(message) });
  const metrics = createMetrics();
  let app: FastifyInstance | undefined;
  let metricsServer: MetricsServer | undefined;
  try {
    app = await buildApp(config, { store, logger, metrics });
    await app.listen({ port: config.port, host: config.host });
    if (config.metricsPort !== undefined) metricsServer = await startMetricsServer(metrics, config.host, config.metricsPort);
  } catch (error) {
    await app?.close();
    await store.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await metricsServer?.close();
      await app.close(); // waits for in-flight requests, then closes idle keep-alive sockets
      await store.close();
    })());
  const scheme = config.tlsCertPath === undefined ? 'http' : 'https';
  return { app, store, url: `${scheme}://${host}:${port}`, metricsUrl: metricsServer?.url, close };
}

/**
 * Closes the server on the first SIGINT/SIGTERM, then exits; a second signal exits at once. The
 * returned function starts the same shutdown for another reason (a cluster worker's primary asks).
 */
export function closeOnSignals(server: RunningServer, logger: Logger): (reason: string) => void {
  let stopping = false;
  const stop = (reason: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal: reason }, 'shutting down: finishing in-flight requests');
    server.close().then(
      () => {
        logger.info('shut down cleanly');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (!stopping) return stop(signal);
    // A second signal is an operator who will not wait: say what that costs, then go.
    server.app.server.getConnections((_error, open) => {
      logger.warn(
        { signal, openConnections: open ?? 'unknown' },
        `second ${signal}: exiting now without waiting; ${open ?? 'an unknown number of'} open connection(s) dropped, with any request in flight on them`,
      );
      logger.flush?.();
      process.exit(1);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return stop;
}
