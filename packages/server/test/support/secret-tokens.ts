import assert from 'node:assert/strict';
import { createTokenService } from '../../src/auth/tokens.js';
import { PASSWORD, login, type TestServer } from './harness.js';
import { parsePrometheus } from './prometheus.js';

// What the secret-rotation tests ask of a token and a node.

/** Whether `token` carries a signature of `secret` (and nothing else is checked). */
export const signedWith = (token: string, secret: string) => createTokenService({ secret, ttlSeconds: 60 }).verify(token).ok;

export async function verificationCounts(server: TestServer): Promise<Record<string, number>> {
  const samples = parsePrometheus(await (await fetch(`${server.url}/metrics`)).text());
  return Object.fromEntries(samples.filter((s) => s.name === 'pacerpro_jwt_verifications_total').map((s) => [s.labels.secret, s.value]));
}

export async function tokenOn(server: TestServer): Promise<string> {
  const { res, json } = await login(server.url, { email: 'alice@example.com', password: PASSWORD });
  assert.equal(res.status, 200, JSON.stringify(json));
  return json.jwtToken as string;
}
