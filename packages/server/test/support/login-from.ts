import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { TestServer } from './harness.js';

// Logins from distinct client addresses on real sockets: all of 127/8 is local on Linux, so each
// test client binds its own loopback address, as the login lanes (SECURITY.md, "Login
// throttling") see clients: by address, and by the PacerPro-Device credential they send.

export interface LoginAnswer {
  readonly status: number;
  readonly retryAfter: string | undefined;
  readonly device: string | undefined;
  readonly body: Record<string, unknown>;
}

/** POST /v1/session from a given local address, optionally with a device credential. */
export function loginFrom(server: TestServer, from: string, email: string, password: string, device?: string): Promise<LoginAnswer> {
  const body = JSON.stringify({ email, password });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        localAddress: from,
        method: 'POST',
        path: '/v1/session',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...(device ? { 'pacerpro-device': device } : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            retryAfter: res.headers['retry-after'],
            device: res.headers['pacerpro-device'] as string | undefined,
            body: JSON.parse(text) as Record<string, unknown>,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Wrong guesses for `email` from `from` until its unknown lane is blocked (429 with Retry-After),
 * sent to the servers in turn: with several nodes, each guess goes to the next.
 */
export async function blockUnknownLane(nodes: readonly TestServer[], email: string, from: string): Promise<LoginAnswer> {
  for (let i = 0; i < 20; i++) {
    const answer = await loginFrom(nodes[i % nodes.length]!, from, email, `guess ${i}`);
    if (answer.status === 429) return answer;
    assert.equal(answer.status, 401);
  }
  throw new Error('the unknown lane never blocked');
}
