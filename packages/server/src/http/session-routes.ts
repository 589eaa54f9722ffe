import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AuditTrail } from '../audit/audit-trail.js';
import { InvalidCredentialsError, LoginThrottledError } from '../auth/auth-errors.js';
import { emailKey } from '../auth/email.js';
import type { SessionService } from '../auth/sessions.js';
import type { IssuedToken } from '../auth/tokens.js';
import { requestAuditEvent } from './request-context.js';
import { readCredentials } from './credentials.js';
import { LOGIN_RATE_LIMIT } from './ip-rate-limit.js';
import { EmptySchema, SessionSchema } from './schemas.js';
import { decorateSessionRequest, sessionUserOf, type SessionHook } from './session-hook.js';
import { SESSION_PATH } from './session-path.js';

// POST, GET and DELETE /v1/session exactly as docs/contract.md states.

export interface SessionRoutesOptions {
  readonly sessions: SessionService;
  /** The session hook (session-hook.ts) that GET and DELETE run, as pacerproAuth runs it for other apps. */
  readonly requireSession: SessionHook;
  /** Whether POST is under the per-IP limit (registerIpRateLimit must have run). */
  readonly loginRateLimited: boolean;
  readonly audit: AuditTrail;
}

export async function sessionRoutes(app: FastifyInstance, { sessions, requireSession, loginRateLimited, audit }: SessionRoutesOptions) {
  // Tokens must never sit in a shared or browser cache; errors are not worth caching either. Set
  // as the request arrives, so every answer has them, errors included.
  app.addHook('onRequest', (_request, reply, done) => {
    reply.header('cache-control', 'no-store');
    reply.header('pragma', 'no-cache');
    done();
  });

  function sendSession(reply: FastifyReply, issued: IssuedToken) {
    // devise-jwt dispatches the token in the Authorization header; some clients read it from there.
    reply.header('authorization', `Bearer ${issued.token}`);
    return { jwtToken: issued.token, expiresAt: issued.expiresAt.toISOString() };
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
      const event =
        error instanceof InvalidCredentialsError ? 'login_failed' : error instanceof LoginThrottledError ? 'login_throttled' : undefined;
      if (event) await audit.record(requestAuditEvent(request, event, { email }), request.log);
      throw error;
    }
  });

  // The session hook runs as a preHandler, after the body is read: a DELETE with a bad body answers
  // 400 or 415 whatever its token, as it always has. (HEAD, made by Fastify from GET, runs it too.)
  decorateSessionRequest(app);
  const authenticated = { preHandler: requireSession };

  app.get(SESSION_PATH, { ...authenticated, schema: { response: sessionResponse } }, async (request, reply) => {
    const issued = sessions.refresh(sessionUserOf(request));
    await audit.record(requestAuditEvent(request, 'session_refreshed', { userId: issued.userId }), request.log);
    return sendSession(reply, issued);
  });

  app.delete(SESSION_PATH, { ...authenticated, schema: { response: { 200: EmptySchema } } }, async (request) => {
    const user = sessionUserOf(request);
    await sessions.logout(user);
    await audit.record(requestAuditEvent(request, 'logged_out', { userId: user.id }), request.log);
    return {};
  });
}
