import cors from '@fastify/cors';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { randomBytes } from 'node:crypto';
import { OWASP_ARGON2ID, createPasswordHasher, type PasswordHasher } from './auth/passwords.js';
import { createSessionService } from './auth/sessions.js';
import { createTokenService } from './auth/tokens.js';
import type { Config } from './config.js';
import { registerErrorHandling } from './http/error-handler.js';
import { healthRoutes } from './http/health-routes.js';
import { registerJsonBody } from './http/json-body.js';
import { sessionRoutes } from './http/session-routes.js';
import { createLogger } from './logger.js';
import type { UserStore } from './store/user-store.js';

export interface AppDeps {
  readonly store: UserStore;
  /** Milliseconds since the epoch; injectable so tests see tokens expire without sleeping. */
  readonly now?: () => number;
  readonly logger?: FastifyBaseLogger;
  readonly passwords?: PasswordHasher;
}

/** The configured secret, or the one kept in the database (generated at the first start). */
export async function resolveJwtSecret(config: Config, store: UserStore): Promise<string> {
  return config.jwtSecret ?? store.getOrCreateJwtSecret(randomBytes(48).toString('base64url'));
}

/** Builds the HTTP application without listening: tests drive it with inject() or a real socket. */
export async function buildApp(config: Config, deps: AppDeps): Promise<FastifyInstance> {
  const { store, now = Date.now } = deps;
  const tokens = createTokenService({ secret: await resolveJwtSecret(config, store), ttlSeconds: config.jwtTtlSeconds, now });
  const passwords = deps.passwords ?? (await createPasswordHasher(OWASP_ARGON2ID, { devisePepper: config.devisePepper }));
  const sessions = createSessionService({ store, passwords, tokens });

  const app = Fastify({
    loggerInstance: deps.logger ?? createLogger(config.logLevel),
    bodyLimit: config.bodyLimitBytes,
  });
  registerJsonBody(app, config.bodyLimitBytes);
  registerErrorHandling(app);

  const corsEnabled = config.corsOrigins.length > 0;
  if (corsEnabled) {
    await app.register(cors, {
      origin: [...config.corsOrigins],
      methods: ['GET', 'POST', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'Accept'],
      exposedHeaders: ['Authorization', 'Retry-After'],
      maxAge: 600, // seconds a browser may cache the preflight answer
    });
  }
  await app.register(sessionRoutes, { sessions, corsEnabled });
  await app.register(healthRoutes, { store });
  return app;
}
