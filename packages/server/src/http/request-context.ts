import type { FastifyRequest } from 'fastify';

const MAX_USER_AGENT = 256;

/** Where a request came from, for the audit trail: client IP (through trusted proxies only), user agent, request id. */
export function requestContext(request: FastifyRequest): { ip: string; userAgent: string | undefined; requestId: string } {
  const agent = request.headers['user-agent'];
  return { ip: request.ip, userAgent: agent === undefined ? undefined : agent.slice(0, MAX_USER_AGENT), requestId: request.id };
}
