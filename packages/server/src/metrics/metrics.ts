import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

// The Prometheus metrics of one app. Each app has its own registry (never prom-client's global
// one), so tests that build several apps in one process do not collide.

export interface Metrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<'method' | 'route' | 'status_code'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  readonly logins: Counter<'outcome'>;
  readonly passwordHashDuration: Histogram<'operation'>;
  readonly databaseDuration: Histogram<'operation'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    httpRequests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status_code'],
      registers,
    }),
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from receiving a request to sending its answer, by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    logins: new Counter({
      name: 'pacerpro_logins_total',
      help: 'Login attempts (POST /v1/session) by outcome: success (200), failure (401), throttled (429).',
      labelNames: ['outcome'],
      registers,
    }),
    passwordHashDuration: new Histogram({
      name: 'pacerpro_password_hash_duration_seconds',
      help: 'Time spent hashing or verifying a password, by operation.',
      labelNames: ['operation'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    databaseDuration: new Histogram({
      name: 'pacerpro_db_query_duration_seconds',
      help: 'Time spent in the user store, by operation.',
      labelNames: ['operation'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }),
  };
}
