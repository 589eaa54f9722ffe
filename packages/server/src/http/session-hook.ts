import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Authenticate } from '../auth/authenticate.js';
import { ApiProblem } from '../errors.js';
import type { User } from '../store/users.js';
import { parseAuthorization } from './authorization.js';

// The one hook that lets a request through on a PacerPro session: it reads the token (Bearer or
// bare, authorization.ts), authenticates it, and puts the session's user on the request. The
// server's GET and DELETE /v1/session run it, and so does pacerproAuth (plugin.ts) for other apps.
// A refusal is thrown as an ApiProblem for the scope's error handling to answer.

/** What a route behind the hook learns of the session's user. */
export interface PacerproUser {
  readonly id: number;
  /** As the user typed it at sign-up, trimmed. */
  readonly email: string;
  /** When the session's jti was issued (its login): how old the session is. */
  readonly sessionStartedAt: Date;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The PacerPro user of the session, on routes behind pacerproAuth; null elsewhere. */
    pacerproUser: PacerproUser | null;
  }
}

export type SessionHook = (request: FastifyRequest) => Promise<void>;

// Never the password hash or the jti, which an app could log or serialise by accident.
const pacerproUserOf = (user: User): PacerproUser => ({ id: user.id, email: user.email, sessionStartedAt: user.jtiIssuedAt });

// The whole user, for the server's own routes (a refresh reissues the jti), under a symbol this
// module does not export: JSON, the logger's serializers and a for…in all skip symbol keys, so an
// app that logs or serialises its request never carries the hash or the jti along. (A WeakMap keyed
// by request did the same at a cost on every request: bench/NOTES.md.)
const SESSION_USER = Symbol('pacerpro.sessionUser');
type WithSessionUser = FastifyRequest & { [SESSION_USER]?: User | null };

/** Declares the properties the hook sets, once per scope, so every request keeps one shape. */
export function decorateSessionRequest(app: FastifyInstance): void {
  app.decorateRequest('pacerproUser', null);
  app.decorateRequest(SESSION_USER as unknown as string, null);
}

export function createSessionHook(authenticate: Authenticate): SessionHook {
  return async (request) => {
    const auth = parseAuthorization(request.headers.authorization);
    if (auth.kind !== 'token') throw new ApiProblem(auth.kind === 'missing' ? 'missing_token' : 'invalid_token');
    const user = await authenticate(auth.token);
    (request as WithSessionUser)[SESSION_USER] = user;
    request.pacerproUser = pacerproUserOf(user);
  };
}

/** The user the hook let through; only on a route behind it. */
export function sessionUserOf(request: FastifyRequest): User {
  const user = (request as WithSessionUser)[SESSION_USER];
  if (!user) throw new Error('the route is not behind the session hook');
  return user;
}
