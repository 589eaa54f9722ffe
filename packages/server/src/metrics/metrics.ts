import { Counter, Registry, collectDefaultMetrics, type Metric } from 'prom-client';
import { logLinesDropped } from '../logger.js';
import { jwtVerificationsCounter } from './jwt-verifications.js';
import { SeriesHistogram } from './series-histogram.js';

// The Prometheus metrics of one app. Each app has its own registry (never prom-client's global
// one), so tests that build several apps in one process do not collide. What is observed on every
// request is a SeriesHistogram (no allocation per observation); logins, slow by design, use
// prom-client's Counter.

export interface Metrics {
  readonly registry: Registry;
  /** By method, route pattern and status code; http_requests_total counts the same series. */
  readonly httpDuration: SeriesHistogram;
  readonly logins: Counter<'outcome' | 'lane'>;
  /** By the secret a signature matched (auth/keyring.ts). */
  readonly jwtVerifications: Counter<'secret'>;
  /** By operation: hash, verify, verifyDummy. */
  readonly passwordHashDuration: SeriesHistogram;
  /** By operation: the store method. */
  readonly databaseDuration: SeriesHistogram;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const register = (metric: { name: string }) => registry.registerMetric(metric as unknown as Metric);

  const httpDuration = new SeriesHistogram(
    'http_request_duration_seconds',
    'Time from receiving a request to sending its answer, by method, route pattern and status code.',
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  );
  register(httpDuration.countsAsCounter('http_requests_total', 'HTTP requests answered, by method, route pattern and status code.'));
  register(httpDuration);
  const passwordHashDuration = new SeriesHistogram(
    'pacerpro_password_hash_duration_seconds',
    'Time spent hashing or verifying a password, by operation.',
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  );
  register(passwordHashDuration);
  const databaseDuration = new SeriesHistogram(
    'pacerpro_db_query_duration_seconds',
    'Time spent in the user store, by operation.',
    [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
  );
  register(databaseDuration);

  const logins = new Counter({
    name: 'pacerpro_logins_total',
    help:
      'Login attempts (POST /v1/session) by outcome: success (200), failure (401), throttled (429); and by lane: device, ' +
      'known_address, unknown, or none when refused before one was chosen (the per-IP limit, a malformed request).',
    labelNames: ['outcome', 'lane'],
    registers: [registry],
  });
  const jwtVerifications = jwtVerificationsCounter(registry);
  new Counter({
    name: 'pacerpro_log_lines_dropped_total',
    help: "Log lines dropped because the process's stdout was not read fast enough (logger.ts).",
    registers: [registry],
    collect() {
      this.reset();
      this.inc(logLinesDropped());
    },
  });
  return { registry, httpDuration, logins, jwtVerifications, passwordHashDuration, databaseDuration };
}
