import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SessionService } from '../auth/sessions.js';
import type { IssuedToken } from '../auth/tokens.js';
import { ApiProblem } from '../errors.js';
import { parseAuthorization } from './authorization.js';
import { readCredentials } from './credentials.js';
import { LOGIN_RATE_LIMIT } from './ip-rate-limit.js';
import { EmptySchema, SessionSchema } from './schemas.js';

// POST, GET and DELETE /v1/session exactly as CONTRACT.md states.

export interface SessionRoutesOptions {
  readonly sessions: SessionService;
  /** Whether OPTIONS belongs to CORS preflight (then the CORS plugin answers it). */
  readonly corsEnabled: boolean;
  /** Whether POST is under the per-IP limit (registerIpRateLimit must have run). */
  readonly loginRateLimited: boolean;
}

function tokenFrom(request: FastifyRequest): string {
  const auth = parseAuthorization(request.headers.authorization);
  if (auth.kind === 'missing') throw new ApiProblem('missing_token');
  if (auth.kind === 'invalid') throw new ApiProblem('invalid_token');
  return auth.token;
}

function sendSession(reply: FastifyReply, issued: IssuedToken) {
  // devise-jwt dispatches the token in the Authorization header; some clients read it from there.
  reply.header('authorization', `Bearer ${issued.token}`);
  return { jwtToken: issued.token, expiresAt: issued.expiresAt.toISOString() };
}

export async function sessionRoutes(app: FastifyInstance, { sessions, corsEnabled, loginRateLimited }: SessionRoutesOptions) {
  // Tokens must never sit in a shared or browser cache; errors are not worth caching either.
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    reply.header('pragma', 'no-cache');
  });

  const sessionResponse = { 200: SessionSchema };

  app.post('/v1/session', { schema: { response: sessionResponse }, ...(loginRateLimited ? { config: LOGIN_RATE_LIMIT } : {}) }, async (request, reply) =>
    sendSession(reply, await sessions.login(readCredentials(request.body))),
  );

  app.get('/v1/session', { schema: { response: sessionResponse } }, async (request, reply) =>
    sendSession(reply, await sessions.refresh(tokenFrom(request))),
  );

  app.delete('/v1/session', { schema: { response: { 200: EmptySchema } } }, async (request) => {
    await sessions.logout(tokenFrom(request));
    return {};
  });

  app.route({
    method: corsEnabled ? ['PUT', 'PATCH'] : ['PUT', 'PATCH', 'OPTIONS'],
    url: '/v1/session',
    handler: async () => {
      throw new ApiProblem('method_not_allowed', { allow: 'GET, HEAD, POST, DELETE' });
    },
  });
}
