import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

// Every request has an id: the caller's X-Request-Id when it is a short token of safe characters
// (so a proxy's or a client's id follows the request through our logs and audit events), a fresh
// UUID otherwise — a long or odd value could forge or flood log lines. Fastify puts it on
// request.id and on every log line of the request (as reqId); the answer echoes it back.

export const REQUEST_ID_HEADER = 'x-request-id';
export const ACCEPTED_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && ACCEPTED_REQUEST_ID.test(given) ? given : randomUUID();
}

/** Fastify options: requestIdHeader is off because Fastify would take the header as it is. */
export const REQUEST_ID_OPTIONS = {
  requestIdHeader: false,
  genReqId: requestIdOf,
} as const satisfies Partial<FastifyServerOptions>;

export function echoRequestId(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
}
