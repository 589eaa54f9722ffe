import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { resolveJwtSecret } from './app.js';
import { createAuthenticator } from './auth/authenticate.js';
import { createTokenService } from './auth/tokens.js';
import { loadConfig, type Config } from './config.js';
import { ApiProblem } from './errors.js';
import { parseAuthorization } from './http/authorization.js';
import { sendProblem } from './http/error-handler.js';
import { openStore } from './store/open-store.js';
import type { Store } from './store/store.js';
import type { User } from './store/users.js';

// pacerproAuth: lets another Fastify app (a matters API, say) require a valid PacerPro session on
// its own routes. It shares the auth server's database and secret, reads the token exactly as
// the auth server does (Bearer or bare), and checks it with the same session logic — signature,
// expiry, and the user's current jti — so a logout on the auth server is a 401 here at once.
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
  /** The HS256 secret; defaults to config.jwtSecret, then to the secret kept in the database. */
  readonly secret?: string;
  /** The auth server's settings (JWT leeway, session max age, pool sizes); defaults when absent. */
  readonly config?: Config;
  /** Milliseconds since the epoch; injectable for tests. */
  readonly now?: () => number;
}

/** What a route behind pacerproAuth learns of the session's user. */
export interface PacerproUser {
  readonly id: number;
  /** As the user typed it at sign-up, trimmed. */
  readonly email: string;
  /** When the session's jti was issued (its login): how old the session is. */
  readonly sessionStartedAt: Date;
}

const pacerproUserOf = (user: User): PacerproUser => ({ id: user.id, email: user.email, sessionStartedAt: user.jtiIssuedAt });

declare module 'fastify' {
  interface FastifyRequest {
    /** The PacerPro user of the session, on routes behind pacerproAuth; null elsewhere. */
    pacerproUser: PacerproUser | null;
  }
}

async function pacerproAuthPlugin(app: FastifyInstance, options: PacerproAuthOptions): Promise<void> {
  const databaseUrl = options.databaseUrl ?? options.config?.databaseUrl;
  if (!options.store && !databaseUrl) throw new Error('pacerproAuth needs { store } or { databaseUrl }: the auth server\'s database');
  const config = options.config ?? loadConfig(databaseUrl ? { DATABASE_URL: databaseUrl } : {});
  const store = options.store ?? (await openStore(config));
  if (!options.store) app.addHook('onClose', async () => store.close());

  const now = options.now ?? Date.now;
  const secret = options.secret ?? (await resolveJwtSecret(config, store));
  const tokens = createTokenService({ secret, ttlSeconds: config.jwtTtlSeconds, leewaySeconds: config.jwtLeewaySeconds, now });
  const authenticate = createAuthenticator({ store, tokens, sessionMaxAgeSeconds: config.sessionMaxAgeSeconds, now });

  app.decorateRequest('pacerproUser', null);
  app.addHook('onRequest', async (request, reply) => {
    const auth = parseAuthorization(request.headers.authorization);
    try {
      if (auth.kind !== 'token') throw new ApiProblem(auth.kind === 'missing' ? 'missing_token' : 'invalid_token');
      request.pacerproUser = pacerproUserOf(await authenticate(auth.token));
    } catch (error) {
      return sendProblem(request, reply, error);
    }
  });
}

export const pacerproAuth: FastifyPluginAsync<PacerproAuthOptions> = fp(pacerproAuthPlugin, { fastify: '5.x', name: 'pacerpro-auth' });
