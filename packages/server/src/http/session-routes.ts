import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditTrail } from '../audit/audit-trail.js';
import { InvalidCredentialsError, LoginThrottledError } from '../auth/auth-errors.js';
import { emailKey } from '../auth/email.js';
import type { SessionService } from '../auth/sessions.js';
import type { IssuedToken } from '../auth/tokens.js';
import { ApiProblem } from '../errors.js';
import { requestAuditEvent } from './request-context.js';
import { parseAuthorization } from './authorization.js';
import { readCredentials } from './credentials.js';
import { LOGIN_RATE_LIMIT } from './ip-rate-limit.js';
import { EmptySchema, SessionSchema } from './schemas.js';

export const SESSION_PATH = '/v1/session';
/** The methods SESSION_PATH answers: the Allow header of the 405 that any other gets (error-handler.ts). */
export const SESSION_METHODS = 'GET, HEAD, POST, DELETE';

// POST, GET and DELETE /v1/session exactly as CONTRACT.md states.

export interface SessionRoutesOptions {
  readonly sessions: SessionService;
  /** Whether POST is under the per-IP limit (registerIpRateLimit must have run). */
  readonly loginRateLimited: boolean;
  readonly audit: AuditTrail;
}

function tokenFrom(request: FastifyRequest): string {
  const auth = parseAuthorization(request.headers.authorization);
  if (auth.kind === 'missing') throw new ApiProblem('missing_token');
  if (auth.kind === 'invalid') throw new ApiProblem('invalid_token');
  return auth.token;
}

/**
 * expiresAt as ISO 8601. Tokens expire on whole seconds, so every answer within one second shares
 * the string: it is formatted once, not per request (V8 formats a Date through snprintf).
 */
function isoFormatter(): (date: Date) => string {
  let lastMs = Number.NaN;
  let lastIso = '';
  return (date) => {
    const ms = date.getTime();
    if (ms !== lastMs) {
      lastMs = ms;
      lastIso = date.toISOString();
    }
    return lastIso;
  };
}

export async function sessionRoutes(app: FastifyInstance, { sessions, loginRateLimited, audit }: SessionRoutesOptions) {
  // Tokens must never sit in a shared or browser cache; errors are not worth caching either. Set
  // as the request arrives, so every answer has them, errors included.
  app.addHook('onRequest', (_request, reply, done) => {
    reply.header('cache-control', 'no-store');
    reply.header('pragma', 'no-cache');
    done();
  });

  const iso = isoFormatter();
  function sendSession(reply: FastifyReply, issued: IssuedToken) {
    // devise-jwt dispatches the token in the Authorization header; some clients read it from there.
    reply.header('authorization', `Bearer ${issued.token}`);
    return { jwtToken: issued.token, expiresAt: iso(issued.expiresAt) };
  }

  const sessionResponse = { 200: SessionSchema };

  const loginOptions = { schema: { response: sessionResponse }, ...(loginRateLimited ? { config: LOGIN_RATE_LIMIT } : {}) };
  app.post(SESSION_PATH, loginOptions, async (request, reply) => {
    let email: string | undefined;
    try {
      const credentials = readCredentials(request.body);
      email = emailKey(credentials.email);
      const issued = await sessions.login(credentials);
      await audit.record(requestAuditEvent(request, 'login_succeeded', { userId: issued.userId, email }), request.log);
      return sendSession(reply, issued);
    } catch (error) {
      const event = error instanceof InvalidCredentialsError ? 'login_failed' : error instanceof LoginThrottledError ? 'login_throttled' : undefined;
      if (event) await audit.record(requestAuditEvent(request, event, { email }), request.log);
      throw error;
    }
  });

  app.get(SESSION_PATH, { schema: { response: sessionResponse } }, async (request, reply) => {
    const issued = await sessions.refresh(tokenFrom(request));
    await audit.record(requestAuditEvent(request, 'session_refreshed', { userId: issued.userId }), request.log);
    return sendSession(reply, issued);
  });

  app.delete(SESSION_PATH, { schema: { response: { 200: EmptySchema } } }, async (request) => {
    const { userId } = await sessions.logout(tokenFrom(request));
    await audit.record(requestAuditEvent(request, 'logged_out', { userId }), request.log);
    return {};
  });
}
