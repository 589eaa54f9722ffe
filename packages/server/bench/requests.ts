import type { RawRequest } from 'autocannon';
import { BENCH_PASSWORD, type SeededUser } from './fixtures.js';

// What each run sends. Logins and refreshes may repeat (a correct login and a refresh keep the
// jti), so they are built once and cycled; a logout spends its token, so each one takes the next
// unused user of a pool sized from the measured refresh rate; a logout run stops when the pool is
// spent rather than send a spent token (which would answer 401 and count as a failure).

const SESSION = '/v1/session';
const JSON_TYPE = { 'content-type': 'application/json' };

export function loginRequests(users: readonly SeededUser[]): RawRequest[] {
  return users.map((user) => ({
    method: 'POST',
    path: SESSION,
    headers: JSON_TYPE,
    body: JSON.stringify({ email: user.email, password: BENCH_PASSWORD }),
  }));
}

export function refreshRequests(users: readonly SeededUser[]): RawRequest[] {
  return users.map((user) => ({ method: 'GET', path: SESSION, headers: { authorization: `Bearer ${user.token}` } }));
}

export interface LogoutRequests {
  readonly requests: RawRequest[];
  /**
   * How many more requests a run may send and still give each an unspent token: the pool left,
   * less one request per connection that the load generator may have built and not sent.
   */
  readonly left: (connections: number) => number;
}

export function logoutRequests(pool: readonly SeededUser[]): LogoutRequests {
  let next = 0;
  const setupRequest = (request: RawRequest): RawRequest => {
    const user = pool[Math.min(next++, pool.length - 1)]!;
    return { ...request, headers: { ...request.headers, authorization: `Bearer ${user.token}` } };
  };
  return {
    requests: [{ method: 'DELETE', path: SESSION, setupRequest }],
    left: (connections) => Math.max(0, pool.length - next - connections),
  };
}
