import cors from '@fastify/cors';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { createAuditTrail } from './audit/audit-trail.js';
import { createAuthenticator } from './auth/authenticate.js';
import { createJtiMatcher } from './auth/jti-matcher.js';
import { resolveJwtKeys, watchGeneratedKeys } from './auth/jwt-secret.js';
import { watchPreviousSecretUse } from './auth/previous-secret-use.js';
import { argon2ParamsFrom, createPasswordHasher, HASH_OPERATIONS, hashingFrom, type PasswordHasher } from './auth/passwords.js';
import { createSessionService } from './auth/sessions.js';
import { createTokenService } from './auth/tokens.js';
import type { Config } from './config.js';
import { answerClientError } from './http/client-errors.js';
import { DEVICE_HEADER_NAME, deviceCredentialOf } from './http/device-header.js';
import { registerDocs } from './http/docs-routes.js';
import { registerErrorHandling } from './http/error-handler.js';
import { healthRoutes } from './http/health-routes.js';
import { registerIpRateLimit } from './http/ip-rate-limit.js';
import { registerJsonBody } from './http/json-body.js';
import { REQUEST_ID_OPTIONS, echoRequestId } from './http/request-id.js';
import { createSessionHook } from './http/session-hook.js';
import { sessionRoutes } from './http/session-routes.js';
import { startHousekeeping } from './housekeeping.js';
import { requestAuditEvent } from './http/request-context.js';
import { createLogger } from './logger.js';
import { metricsRoute, recordHttpMetrics } from './metrics/http-metrics.js';
import { createMetrics, type Metrics } from './metrics/metrics.js';
import { verificationCounter } from './metrics/jwt-verifications.js';
import { observerByOperation, timeStore } from './metrics/timed.js';
import type { Store } from './store/store.js';
import { readTlsFiles } from './tls.js';

export interface AppDeps {
  readonly store: Store;
  /** Milliseconds since the epoch; injectable so tests see tokens expire without sleeping. */
  readonly now?: () => number;
  readonly logger?: FastifyBaseLogger;
  /** Used as it is: its own queue and timing; by default one is made with the config's concurrency, timed in `metrics`. */
  readonly passwords?: PasswordHasher;
  /** The app's Prometheus metrics; given by the caller that serves them on another port. */
  readonly metrics?: Metrics;
  /** How long a client may take to send a whole request (default 30 s); tests shorten it. */
  readonly requestTimeoutMs?: number;
}

// Without a bound, a client that sends headers and then stalls (or a Content-Length it never fills)
// holds its connection forever, and a graceful shutdown waits for it forever. Node answers 408.
const REQUEST_TIMEOUT_MS = 30_000;
/** How often a closing server closes the keep-alive sockets that have turned idle. */
const SWEEP_MS = 100;

const REQUEST_LOG_LEVELS = new Set(['debug', 'trace']);

function trustProxyOption(trust: Config['trustProxy']): false | string[] | ((address: string, hop: number) => boolean) {
  if (trust === false) return false;
  if (typeof trust === 'number') return (_address, hop) => hop < trust; // the nearest N proxies
  return [...trust];
}

/** Builds the HTTP application without listening: tests drive it with inject() or a real socket. */
export async function buildApp(config: Config, deps: AppDeps): Promise<FastifyInstance> {
  const { now = Date.now } = deps;
  const metrics = deps.metrics ?? createMetrics();
  const store = timeStore(deps.store, metrics);
  const logger = deps.logger ?? createLogger(config.logLevel);
  const jwtKeys = await resolveJwtKeys(config, store, now);
  const previousUse = watchPreviousSecretUse({ store, logger, now });
  const countVerification = verificationCounter(metrics.jwtVerifications);
  const tokens = createTokenService({
    keyring: jwtKeys.keyring,
    observe: (secret) => {
      countVerification(secret);
      previousUse.saw(secret);
    },
    ttlSeconds: config.jwtTtlSeconds,
    leewaySeconds: config.jwtLeewaySeconds,
    issuer: config.jwtIssuer,
    now,
  });
  // The hasher reports each hash's own time, not its wait for a turn; a hasher given in deps is used as it is.
  const observeHash = observerByOperation(metrics.passwordHashDuration, HASH_OPERATIONS);
  const passwords =
    deps.passwords ??
    (await createPasswordHasher(argon2ParamsFrom(config), {
      ...hashingFrom(config),
      concurrency: config.hashConcurrency,
      observe: observeHash,
    }));
  const jtis = createJtiMatcher(store);
  const sessions = createSessionService({
    store,
    passwords,
    tokens,
    jtis,
    sessionMaxAgeSeconds: config.sessionMaxAgeSeconds,
    loginMaxFailures: config.loginMaxFailures,
    deviceCredentialTtlSeconds: config.deviceCredentialTtlSeconds,
    now,
  });
  const requireSession = createSessionHook(
    createAuthenticator({ store, tokens, jtis, sessionMaxAgeSeconds: config.sessionMaxAgeSeconds, now }),
  );

  const tls = await readTlsFiles(config);
  const requestTimeout = deps.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  // Node looks for timed-out requests every connectionsCheckingInterval (30 s by default), and
  // enforces requestTimeout only when it is no shorter than headersTimeout (60 s by default).
  const timeoutChecks = {
    connectionsCheckingInterval: Math.min(requestTimeout / 2, 30_000),
    headersTimeout: Math.min(requestTimeout, 60_000),
  };
  // Typed as the plain HTTP instance whichever it is: only the listening socket differs.
  const app = Fastify({
    ...REQUEST_ID_OPTIONS,
    // (Fastify's types take https or http, not the choice between them.)
    ...((tls ? { https: { ...tls, ...timeoutChecks } } : { https: null, http: timeoutChecks }) as unknown as { https: null }),
    requestTimeout,
    clientErrorHandler: answerClientError,
    loggerInstance: logger,
    // Fastify's two lines per request (start, end) cost more CPU than a refresh's own work. At info
    // a request is logged by what it did: the audit line of a login, refresh or logout, the error
    // of a 5xx. Its start and end lines appear at debug and trace.
    logController: new LogController({ disableRequestLogging: !REQUEST_LOG_LEVELS.has(logger.level) }),
    bodyLimit: config.bodyLimitBytes,
    // request.ip comes from X-Forwarded-For only through the proxies named here.
    trustProxy: trustProxyOption(config.trustProxy),
  }) as unknown as FastifyInstance;
  const audit = createAuditTrail({ store: store.audit, logger: app.log, now });
  const keyWatch =
    jwtKeys.origin === 'database' ? watchGeneratedKeys({ store, tokens, keyring: jwtKeys.keyring, logger: app.log, now }) : undefined;
  const housekeeping = startHousekeeping({
    store,
    logger: app.log,
    auditRetentionSeconds: config.auditRetentionSeconds,
    deviceCredentialTtlSeconds: config.deviceCredentialTtlSeconds,
    now,
  });
  // server.close() stops Node's checks for timed-out requests, so a client stalled mid-request would
  // hold a graceful shutdown open forever: what is still open requestTimeout after it began is cut.
  // Fastify closes the idle keep-alive sockets once, as close() begins; a socket whose request was
  // in flight then turns idle only after its answer, and would stay open until the cut above. So,
  // while closing, idle sockets are swept again every SWEEP_MS: a shutdown lasts as long as the
  // work in flight, and the refresh path pays nothing for it (bench/NOTES.md: why not an onSend hook).
  let sweep: NodeJS.Timeout | undefined;
  app.addHook('preClose', async () => {
    setTimeout(() => app.server.closeAllConnections(), requestTimeout).unref();
    sweep = setInterval(() => app.server.closeIdleConnections(), SWEEP_MS).unref();
  });
  app.addHook('onClose', async () => {
    clearInterval(sweep);
    housekeeping.stop();
    previousUse.stop();
    keyWatch?.stop();
    await audit.close(); // after the last request, before the caller closes the store: commits in flight
  });
  registerJsonBody(app, config.bodyLimitBytes);
  registerErrorHandling(app);
  echoRequestId(app);
  recordHttpMetrics(app, metrics);
  if (config.metricsPort === undefined) metricsRoute(app, metrics);
  await registerDocs(app); // before the routes it documents

  const corsEnabled = config.corsOrigins.length > 0;
  if (corsEnabled) {
    await app.register(cors, {
      origin: [...config.corsOrigins],
      methods: ['GET', 'POST', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'Accept', 'X-Request-Id', DEVICE_HEADER_NAME],
      // Date lets a browser client judge token expiry by our clock when its own is off (pacerpro-client's SessionManager).
      exposedHeaders: ['Authorization', 'Date', 'Retry-After', 'X-Request-Id', DEVICE_HEADER_NAME],
      maxAge: 600, // seconds a browser may cache the preflight answer
    });
  }
  const loginRateLimited = config.ipLoginLimitPerMinute > 0;
  if (loginRateLimited) {
    await registerIpRateLimit(app, {
      perMinute: config.ipLoginLimitPerMinute,
      redisUrl: config.redisUrl,
      onLimited: (request) => audit.recordUnawaited(requestAuditEvent(request, 'login_throttled'), request.log),
      // The owner's device credential gets it past the limit of an address an attacker shares or floods.
      exempt: (request) => sessions.isKnownDevice(deviceCredentialOf(request)),
    });
  }
  await app.register(sessionRoutes, { sessions, requireSession, loginRateLimited, audit, proxyUntrusted: config.trustProxy === false });
  await app.register(healthRoutes, { store });
  return app;
}
