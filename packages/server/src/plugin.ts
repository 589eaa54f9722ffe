import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Registry } from 'prom-client';
import { createAuthenticator } from './auth/authenticate.js';
import { createJtiMatcher } from './auth/jti-matcher.js';
import { type JwtKeys, resolveJwtKeys, watchGeneratedKeys } from './auth/jwt-secret.js';
import { watchPreviousSecretUse } from './auth/previous-secret-use.js';
import { createTokenService } from './auth/tokens.js';
import { loadConfig, type Config } from './config.js';
import { sendProblem } from './http/error-handler.js';
import { createSessionHook, decorateSessionRequest } from './http/session-hook.js';
import { jwtVerificationsCounter, verificationCounter } from './metrics/jwt-verifications.js';
import { openStore } from './store/open-store.js';
import type { Store } from './store/store.js';

export type { PacerproUser } from './http/session-hook.js';

// pacerproAuth: lets another Fastify app (a matters API, say) require a valid PacerPro session on
// its own routes. It shares the auth server's database and secret, and runs the very hook the auth
// server's GET and DELETE /v1/session run (http/session-hook.ts): the token read the same way
// (Bearer or bare), the same checks (signature, expiry, the user's current jti, the session's age),
// so a logout on the auth server is a 401 here at once.
// It puts the user on request.pacerproUser (id, e-mail and when the session began: never the
// password hash or the jti, which an app could log or serialise by accident); any failure answers
// PacerPro's Error body.
//
// It hooks every route of the scope it is registered in (fastify-plugin: not encapsulated), so
// register it inside the plugin that holds the routes to protect, or at the root to protect all.

export interface PacerproAuthOptions {
  /** The auth server's store. Either this or databaseUrl (or config.databaseUrl). */
  readonly store?: Store;
  /** SQLite path or postgres:// URL of the auth server's database; opened here, closed with the app. */
  readonly databaseUrl?: string;
  /**
   * The HS256 secret, alone; by default the auth server's keys: config.jwtSecret with the previous
   * secrets of its file, or the secrets kept in the database.
   */
  readonly secret?: string;
  /** The auth server's settings (JWT leeway, session max age, pool sizes); defaults when absent. */
  readonly config?: Config;
  /**
   * The app's prom-client registry: pacerpro_jwt_verifications_total is counted in it, by the
   * secret that matched, as on the auth server. Without one, nothing is counted.
   */
  readonly metricsRegistry?: Registry;
  /** Milliseconds since the epoch; injectable for tests. */
  readonly now?: () => number;
}

async function pacerproAuthPlugin(app: FastifyInstance, options: PacerproAuthOptions): Promise<void> {
  const databaseUrl = options.databaseUrl ?? options.config?.databaseUrl;
  if (!options.store && !databaseUrl) throw new Error("pacerproAuth needs { store } or { databaseUrl }: the auth server's database");
  const config = options.config ?? loadConfig(databaseUrl ? { DATABASE_URL: databaseUrl } : {});
  const store = options.store ?? (await openStore(config));
  if (!options.store) app.addHook('onClose', async () => store.close());

  const now = options.now ?? Date.now;
  // The same keys as the auth server, previous secrets included; a rotation of the generated
  // secret reaches this app as it reaches every node.
  const keys: JwtKeys =
    options.secret !== undefined
      ? { keyring: { current: options.secret, previous: [] }, origin: 'environment' }
      : await resolveJwtKeys(config, store, now);
  const { keyring } = keys;
  // As on the auth server: a token of a previous secret is logged once a minute and recorded in the
  // database, so `secret retire` refuses while this app still sees one, whatever its metrics.
  const previousUse = watchPreviousSecretUse({ store, logger: app.log, now });
  app.addHook('onClose', async () => previousUse.stop());
  const countVerification = options.metricsRegistry && verificationCounter(jwtVerificationsCounter(options.metricsRegistry));
  const tokens = createTokenService({
    keyring,
    observe: (secret) => {
      countVerification?.(secret);
      previousUse.saw(secret);
    },
    ttlSeconds: config.jwtTtlSeconds,
    leewaySeconds: config.jwtLeewaySeconds,
    issuer: config.jwtIssuer,
    now,
  });
  if (keys.origin === 'database') {
    const watch = watchGeneratedKeys({ store, tokens, keyring, logger: app.log, now });
    app.addHook('onClose', async () => watch.stop());
  }
  const jtis = createJtiMatcher(store);
  const requireSession = createSessionHook(
    createAuthenticator({ store, tokens, jtis, sessionMaxAgeSeconds: config.sessionMaxAgeSeconds, now }),
  );

  decorateSessionRequest(app);
  // As the request arrives, before its body is read. The app's own error handler may answer in
  // its own way; a refusal from here is always PacerPro's Error body.
  app.addHook('onRequest', async (request, reply) => {
    try {
      await requireSession(request);
    } catch (error) {
      return sendProblem(request, reply, error);
    }
  });
}

export const pacerproAuth: FastifyPluginAsync<PacerproAuthOptions> = fp(pacerproAuthPlugin, { fastify: '5.x', name: 'pacerpro-auth' });
