import type { FastifyInstance } from 'fastify';
import type { Counter } from 'prom-client';
import { LOGIN_LANES } from '../auth/login-lane.js';
import type { Metrics } from './metrics.js';
import type { Series } from './series-histogram.js';

// Counts and times every answer by route pattern (never the raw URL: unknown paths are one
// "unmatched" series, so a scan cannot blow up the number of series), and counts logins by
// outcome from POST /v1/session's status and by the lane the route noted on the request
// (request.loginLane), so the session code knows nothing about metrics.
// The refresh path is hot: after the first answer of a kind, recording one allocates nothing.

export const METRICS_PATH = '/metrics';

const LOGIN_OUTCOMES: Readonly<Record<number, string>> = { 200: 'success', 401: 'failure', 429: 'throttled' };

export function recordHttpMetrics(app: FastifyInstance, metrics: Metrics): void {
  const { httpDuration } = metrics;
  // method -> route -> status -> series
  const cache = new Map<string, Map<string, Map<number, Series>>>();
  const seriesFor = (method: string, route: string, status: number): Series => {
    let byRoute = cache.get(method);
    if (!byRoute) cache.set(method, (byRoute = new Map()));
    let byStatus = byRoute.get(route);
    if (!byStatus) byRoute.set(route, (byStatus = new Map()));
    let series = byStatus.get(status);
    if (!series) byStatus.set(status, (series = httpDuration.series({ method, route, status_code: String(status) })));
    return series;
  };
  const lanes = [...LOGIN_LANES, 'none'] as const;
  const logins = new Map<number, Map<string, Counter.Internal>>(
    Object.entries(LOGIN_OUTCOMES).map(([status, outcome]) => [
      Number(status),
      new Map(lanes.map((lane) => [lane, metrics.logins.labels(outcome, lane)])),
    ]),
  );

  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const status = reply.statusCode;
    httpDuration.observe(seriesFor(request.method, route, status), reply.elapsedTime / 1000);
    if (route === '/v1/session' && request.method === 'POST')
      logins
        .get(status)
        ?.get(request.loginLane ?? 'none')
        ?.inc();
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
