import type { FastifyRequest } from 'fastify';
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

// The whole user, for the server's own routes (a refresh reissues the jti). Kept off the request
// object, so no app can reach the hash or the jti through it, not even by listing its properties.
const sessionUsers = new WeakMap<FastifyRequest, User>();

export function createSessionHook(authenticate: Authenticate): SessionHook {
  return async (request) => {
    const auth = parseAuthorization(request.headers.authorization);
    if (auth.kind !== 'token') throw new ApiProblem(auth.kind === 'missing' ? 'missing_token' : 'invalid_token');
    const user = await authenticate(auth.token);
    sessionUsers.set(request, user);
    request.pacerproUser = pacerproUserOf(user);
  };
}

/** The user the hook let through; only on a route behind it. */
export function sessionUserOf(request: FastifyRequest): User {
  const user = sessionUsers.get(request);
  if (!user) throw new Error('the route is not behind the session hook');
  return user;
}
