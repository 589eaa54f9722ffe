import type { FastifyInstance } from 'fastify';
import type { Counter, Histogram } from 'prom-client';
import type { Metrics } from './metrics.js';

// Counts and times every answer by route pattern (never the raw URL: unknown paths are one
// "unmatched" series, so a scan cannot blow up the number of series), and counts logins by
// outcome from POST /v1/session's status, so the session code knows nothing about metrics.
// The refresh path is hot: the label children are cached, and a known request allocates nothing here.

export const METRICS_PATH = '/metrics';

const LOGIN_OUTCOMES: Readonly<Record<number, string>> = { 200: 'success', 401: 'failure', 429: 'throttled' };

interface Series {
  readonly count: Counter.Internal;
  readonly duration: Histogram.Internal<'method' | 'route' | 'status_code'>;
}

export function recordHttpMetrics(app: FastifyInstance, metrics: Metrics): void {
  // method -> route -> status -> series
  const cache = new Map<string, Map<string, Map<number, Series>>>();
  const seriesFor = (method: string, route: string, status: number): Series => {
    let byRoute = cache.get(method);
    if (!byRoute) cache.set(method, (byRoute = new Map()));
    let byStatus = byRoute.get(route);
    if (!byStatus) byRoute.set(route, (byStatus = new Map()));
    let series = byStatus.get(status);
    if (!series) {
      const labels = [method, route, String(status)] as const;
      series = { count: metrics.httpRequests.labels(...labels), duration: metrics.httpDuration.labels(...labels) };
      byStatus.set(status, series);
    }
    return series;
  };
  const logins = Object.fromEntries(Object.entries(LOGIN_OUTCOMES).map(([status, outcome]) => [status, metrics.logins.labels(outcome)]));

  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const status = reply.statusCode;
    const series = seriesFor(request.method, route, status);
    series.count.inc();
    series.duration.observe(reply.elapsedTime / 1000);
    if (route === '/v1/session' && request.method === 'POST') logins[status]?.inc();
    done();
  });
}

/** GET /metrics in Prometheus' text format. */
export function metricsRoute(app: FastifyInstance, metrics: Metrics): void {
  app.get(METRICS_PATH, { schema: { hide: true } }, async (_request, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
