import { ApiError } from './api-error.js';
import { checkMilliseconds } from './milliseconds.js';

export interface RetryOptions {
  /** Retries after the first attempt. Default 2. */
  retries?: number;
  /** The first backoff; each retry doubles it. Default 200. */
  baseDelayMs?: number;
  /** The cap of one backoff. Default 5000. */
  maxDelayMs?: number;
  /** A longer Retry-After is not waited for: the ApiError is thrown at once, so no call hangs for minutes. Default 30000. */
  maxRetryAfterMs?: number;
  /** Statuses that GET and DELETE retry. Default 429, 502, 503, 504. */
  statuses?: readonly number[];
  /** Injectable so tests need not wait. */
  sleep?: (ms: number) => Promise<void>;
  /** Injectable so tests can pin the jitter; returns [0, 1). */
  random?: () => number;
}

export type RetryPolicy = Readonly<Required<RetryOptions>>;

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function retryPolicy(options: RetryOptions | false = {}): RetryPolicy {
  const given = options === false ? { retries: 0 } : options;
  const retries = given.retries ?? 2;
  if (!Number.isInteger(retries) || retries < 0) throw new RangeError(`retry.retries must be a whole number from 0, got ${retries}`);
  return Object.freeze({
    retries,
    baseDelayMs: checkMilliseconds('retry.baseDelayMs', given.baseDelayMs ?? 200),
    maxDelayMs: checkMilliseconds('retry.maxDelayMs', given.maxDelayMs ?? 5000),
    maxRetryAfterMs: checkMilliseconds('retry.maxRetryAfterMs', given.maxRetryAfterMs ?? 30_000),
    statuses: given.statuses ?? [429, 502, 503, 504],
    sleep: given.sleep ?? sleep,
    random: given.random ?? Math.random,
  });
}

/** Milliseconds to wait from a Retry-After value (delay-seconds or an HTTP-date); undefined when unreadable. */
export function parseRetryAfter(value: string, nowMs: number): number | undefined {
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Every HTTP-date form starts with the day's name; Date.parse alone would also read "-1" as a year.
  if (!/^[a-z]{3}/i.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/**
 * True only when the request provably never reached the server: every connection attempt was
 * refused. Node's fetch reports it as ECONNREFUSED in the cause chain (an AggregateError when it
 * tried several addresses); a browser does not say, so there it is never true.
 */
export function isConnectionRefused(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 8) return false;
  const { code, errors, cause } = error as { code?: unknown; errors?: unknown; cause?: unknown };
  if (code === 'ECONNREFUSED') return true;
  if (Array.isArray(errors) && errors.length > 0) return errors.every((inner) => isConnectionRefused(inner, depth + 1));
  return isConnectionRefused(cause, depth + 1);
}

/** Exponential backoff, capped, with "equal jitter": half the step fixed, half random, so clients spread out. */
function backoffMs(policy: RetryPolicy, retry: number): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return step / 2 + policy.random() * (step / 2);
}

/** How long to wait before retrying after `error`, or undefined when this failure must not be retried. */
export function retryDelayMs(policy: RetryPolicy, method: HttpMethod, error: ApiError, retry: number): number | undefined {
  if (retry >= policy.retries) return undefined;
  // A POST that may have reached the server could have logged someone in (or counted a failed
  // attempt against a lockout); only a refused connection proves it did not.
  if (method === 'POST') return error.code === 0 && isConnectionRefused(error.cause) ? backoffMs(policy, retry) : undefined;
  if (error.code === 0) return backoffMs(policy, retry);
  if (!policy.statuses.includes(error.code)) return undefined;
  const retryAfter = error.responseHeaders.get('retry-after');
  if ((error.code === 429 || error.code === 503) && retryAfter !== null) {
    const wait = parseRetryAfter(retryAfter, Date.now());
    if (wait !== undefined) return wait <= policy.maxRetryAfterMs ? wait : undefined;
  }
  return backoffMs(policy, retry);
}

/** Runs `attempt` until it succeeds or fails in a way the policy does not retry. */
export async function withRetries<T>(policy: RetryPolicy, method: HttpMethod, attempt: () => Promise<T>): Promise<T> {
  for (let retry = 0; ; retry++) {
    try {
      return await attempt();
    } catch (error) {
      const delay = error instanceof ApiError ? retryDelayMs(policy, method, error, retry) : undefined;
      if (delay === undefined) throw error;
      await policy.sleep(delay);
    }
  }
}
