import Fastify from 'fastify';
import { metricsRoute } from './http-metrics.js';
import type { Metrics } from './metrics.js';

// With PACERPRO_METRICS_PORT, /metrics is served on its own port (reachable by the scraper
// only, say) and not on the API's; plain HTTP, on the same host address as the API.

export interface MetricsServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startMetricsServer(metrics: Metrics, host: string, port: number): Promise<MetricsServer> {
  const app = Fastify({ logger: false });
  metricsRoute(app, metrics);
  await app.listen({ host, port });
  const address = app.server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return { url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}/metrics`, close: () => app.close() };
}
