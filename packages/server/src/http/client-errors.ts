import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { ERRORS, errorBody, type ErrorCode } from '../errors.js';

// What Node's HTTP parser refuses before Fastify sees a request (malformed HTTP, headers over the
// limit, a request not received within the request timeout) is answered here: with PacerPro's Error
// body and an X-Request-Id like every other answer, instead of Fastify's own JSON; then the
// connection is closed, as its framing can no longer be trusted.

const CODES: Readonly<Record<string, ErrorCode>> = {
  ERR_HTTP_REQUEST_TIMEOUT: 'request_timeout',
  HPE_HEADER_OVERFLOW: 'headers_too_large',
};

/** The raw HTTP answer to a client error of Node's `code`. */
export function clientErrorResponse(nodeCode: string | undefined): string {
  const code = CODES[nodeCode ?? ''] ?? 'bad_request';
  const { status } = ERRORS[code];
  const body = JSON.stringify(errorBody(code));
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
    `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
    `X-Request-Id: ${randomUUID()}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`
  );
}

/** Fastify's clientErrorHandler. */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) socket.write(clientErrorResponse(error.code));
  socket.destroy();
}
