// A local HTTP endpoint that answers however a test tells it to: hang, fail, close the socket, lie.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type StubHandler = (request: RecordedRequest, response: ServerResponse, index: number) => void;

export interface StubServer {
  /** e.g. http://127.0.0.1:41234/v1 */
  basePath: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startStub(handler: StubHandler, port = 0): Promise<StubServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((incoming: IncomingMessage, response: ServerResponse) => {
    let body = '';
    incoming.setEncoding('utf8');
    incoming.on('data', (chunk: string) => (body += chunk));
    incoming.on('end', () => {
      const request = { method: incoming.method ?? '', url: incoming.url ?? '', headers: incoming.headers, body };
      requests.push(request);
      handler(request, response, requests.length - 1);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    basePath: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Sends a JSON answer. */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
  response.end(JSON.stringify(body));
}

export const SESSION_BODY = { jwtToken: 'header.payload.signature', expiresAt: '2026-11-28T06:00:00.000Z' };

export function errorBody(status: number, message: string, code = 'test_error') {
  return { error: message, message, status, type: 'error', code };
}
