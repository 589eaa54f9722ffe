import type { FastifyRequest } from 'fastify';
import type { NewAuditEvent } from '../audit/audit-trail.js';
import type { LoginLaneKind } from '../auth/login-lane.js';
import type { AuditEventType } from '../store/audit.js';

const MAX_USER_AGENT = 256;

/**
 * The audit event of a request: what happened, to whom, and where it came from (client IP through
 * trusted proxies only, user agent, request id). Every field is always present, in one order, so
 * every event has one shape: the refresh path builds one per request, and a literal that spreads
 * another object in after its own fields takes V8's slow path.
 */
export function requestAuditEvent(
  request: FastifyRequest,
  event: AuditEventType,
  subject: { readonly userId?: number | undefined; readonly email?: string | undefined; readonly lane?: LoginLaneKind | undefined } = {},
): NewAuditEvent {
  const agent = request.headers['user-agent'];
  return {
    event,
    userId: subject.userId,
    email: subject.email,
    ip: request.ip,
    userAgent: agent === undefined ? undefined : agent.slice(0, MAX_USER_AGENT),
    requestId: request.id,
    lane: subject.lane,
  };
}
