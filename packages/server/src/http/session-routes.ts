import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AuditTrail } from '../audit/audit-trail.js';
import { InvalidCredentialsError, LoginThrottledError } from '../auth/auth-errors.js';
import { emailKey } from '../auth/email.js';
import type { LoginLaneKind } from '../auth/login-lane.js';
import type { SessionService } from '../auth/sessions.js';
import type { IssuedToken } from '../auth/tokens.js';
import { addressKey } from './address-key.js';
import { readCredentials } from './credentials.js';
import { DEVICE_HEADER_NAME, deviceCredentialOf } from './device-header.js';
import { requestAuditEvent } from './request-context.js';
import { LOGIN_RATE_LIMIT } from './ip-rate-limit.js';
import { EmptySchema, SessionSchema } from './schemas.js';
import { decorateSessionRequest, sessionUserOf, type SessionHook } from './session-hook.js';
import { SESSION_PATH } from './session-path.js';

// POST, GET and DELETE /v1/session exactly as docs/contract.md states, plus the device credential's
// header on POST (device-header.ts).

declare module 'fastify' {
  interface FastifyRequest {
    /** The lane a login went through (auth/login-lane.ts), for the login metric; null before one is chosen. */
    loginLane: LoginLaneKind | null;
  }
}

export interface SessionRoutesOptions {
  readonly sessions: SessionService;
  /** The session hook (session-hook.ts) that GET and DELETE run, as pacerproAuth runs it for other apps. */
  readonly requireSession: SessionHook;
  /** Whether POST is under the per-IP limit (registerIpRateLimit must have run). */
  readonly loginRateLimited: boolean;
  readonly audit: AuditTrail;
  /**
   * Whether request.ip is the socket's address whatever X-Forwarded-For says (PACERPRO_TRUST_PROXY
   * unset): then a login carrying that header logs one warning, once.
   */
  readonly proxyUntrusted: boolean;
}

/**
 * expiresAt as ISO 8601. Tokens expire on whole seconds, so the answers of one second share one
 * string: formatting a Date per answer cost 7 k of a refresh's 297 k instructions (bench/NOTES.md).
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

export async function sessionRoutes(
  app: FastifyInstance,
  { sessions, requireSession, loginRateLimited, audit, proxyUntrusted }: SessionRoutesOptions,
) {
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
  app.decorateRequest('loginLane', null);
  let warnedForwardedFor = !proxyUntrusted;
  app.post(SESSION_PATH, loginOptions, async (request, reply) => {
    if (!warnedForwardedFor && request.headers['x-forwarded-for'] !== undefined) {
      warnedForwardedFor = true;
      request.log.warn(
        "a login arrived with X-Forwarded-For, but PACERPRO_TRUST_PROXY is unset, so the address used is the proxy's: every " +
          'client behind it shares one per-IP limit and one known address. Set PACERPRO_TRUST_PROXY to the proxies in front ' +
          '(docs/configuration.md). Logged once.',
      );
    }
    let email: string | undefined;
    try {
      const credentials = readCredentials(request.body);
      email = emailKey(credentials.email);
      const issued = await sessions.login(credentials, { address: addressKey(request.ip), deviceCredential: deviceCredentialOf(request) });
      request.loginLane = issued.lane;
      await audit.record(requestAuditEvent(request, 'login_succeeded', { userId: issued.userId, email, lane: issued.lane }), request.log);
      reply.header(DEVICE_HEADER_NAME, issued.deviceCredential);
      return sendSession(reply, issued);
    } catch (error) {
      const refused = error instanceof InvalidCredentialsError || error instanceof LoginThrottledError ? error : undefined;
      if (refused) {
        request.loginLane = refused.lane ?? null;
        const event = refused instanceof InvalidCredentialsError ? 'login_failed' : 'login_throttled';
        await audit.record(requestAuditEvent(request, event, { email, lane: refused.lane }), request.log);
      }
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
