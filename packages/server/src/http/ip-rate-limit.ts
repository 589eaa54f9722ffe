import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiProblem } from '../errors.js';
import { addressKey } from './address-key.js';

// Per-client-IP limit on login attempts, counted in fixed one-minute windows. With a Redis URL the
// counters are shared by every node; otherwise each process keeps its own, in a bounded LRU. The
// client IP is request.ip, which honours X-Forwarded-For only through the proxies config trusts,
// keyed by address-key.ts (IPv6 by /64). A login that presents a valid device credential is not
// counted: an attacker flooding from the owner's network must not keep the owner out.

export interface IpRateLimitOptions {
  readonly perMinute: number;
  readonly redisUrl: string | undefined;
  /** Told of every refused attempt (for the audit trail). */
  readonly onLimited?: (request: FastifyRequest) => void;
  /** Requests that are not counted at all (the owner's device credential); a failing check counts the request. */
  readonly exempt?: (request: FastifyRequest) => Promise<boolean>;
}

/** The route config that puts a route under the limit (see registerIpRateLimit). */
export const LOGIN_RATE_LIMIT = { rateLimit: {} } as const;

export async function registerIpRateLimit(
  app: FastifyInstance,
  { perMinute, redisUrl, onLimited, exempt }: IpRateLimitOptions,
): Promise<void> {
  // Loaded only with a Redis URL: ioredis is 14 MiB of resident memory a single node never uses.
  const Redis = redisUrl ? (await import('ioredis')).Redis : undefined;
  const redis =
    Redis && redisUrl
      ? // No offline queue and one retry: when Redis is down a login must not wait for it.
        new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 1000, lazyConnect: true })
      : undefined;
  if (redis) {
    redis.on('error', (error: Error) =>
      app.log.warn({ err: error }, 'Redis for login rate limits is unreachable; limits are not enforced until it is back'),
    );
    await redis.connect().catch(() => undefined); // reconnects by itself; skipOnError keeps logins working meanwhile
    app.addHook('onClose', async () => {
      redis.disconnect();
    });
  }
  await app.register(rateLimit, {
    global: false,
    max: perMinute,
    timeWindow: 60_000,
    cache: 10_000, // distinct IPs remembered in memory at most
    ...(redis ? { redis, nameSpace: 'pacerpro:login-ip:' } : {}),
    skipOnError: true,
    keyGenerator: (request) => addressKey(request.ip), // IPv6 by /64: one subscriber, one bucket
    ...(exempt ? { allowList: (request: FastifyRequest) => exempt(request).catch(() => false) } : {}),
    // Only Retry-After, and only on 429: counters in every answer would make otherwise identical
    // login failures differ from one another.
    addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
    addHeaders: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false, 'retry-after': true },
    errorResponseBuilder: (request, context) => {
      onLimited?.(request);
      return new ApiProblem('rate_limited', { 'retry-after': String(Math.max(1, Math.ceil(context.ttl / 1000))) });
    },
  });
}
