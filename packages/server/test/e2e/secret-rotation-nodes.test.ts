import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { SessionManager } from 'pacerpro-client';
import { runCli } from '../support/cli.js';
import { PASSWORD, call, startTestServer } from '../support/harness.js';
import { freshSchema, postgresSkip } from '../support/postgres.js';
import { signedWith, tokenOn, verificationCounts } from '../support/secret-tokens.js';

// Two nodes on one PostgreSQL schema while `pacerpro-auth secret rotate` and `retire` run: they
// pick the change up by themselves, and wait out the real 5 s activation and 2 s poll (README,
// "Rotating the secret"). The single-node rotation tests are http/secret-rotation.test.ts.

const skip = await postgresSkip();
if (skip) console.log(skip);

describe('rotating the generated secret on PostgreSQL', { skip }, () => {
  test('`secret rotate` reaches a running node by itself, its clients never see a 401, and `secret retire` waits for the old tokens', async () => {
    const schema = await freshSchema();
    const a = await startTestServer({ postgresUrl: schema.url });
    const b = await startTestServer({ postgresUrl: schema.url });
    const secret = (...args: string[]) => runCli(['secret', ...args, '--database-url', schema.url]);
    try {
      await a.addUser('alice@example.com');
      const before = (await a.store.settings.getJwtSecrets())!.current;
      const old = await tokenOn(b);
      const statuses = new Set<number>();
      // The client behind a load balancer: its requests go to a and b in turn, and every answer
      // counts, the manager's own refreshes included (a 401 there would be hidden by a new login).
      let turn = 0;
      const manager = new SessionManager({
        configuration: {
          basePath: `${a.url}/v1`,
          fetch: async (input, init) => {
            const res = await fetch(input.replace(a.url, [a, b][turn++ % 2]!.url), init);
            statuses.add(res.status);
            return res;
          },
        },
        credentials: { email: 'alice@example.com', password: PASSWORD },
      });
      const changes: string[] = [];
      manager.onChange(({ reason }) => changes.push(reason));
      const useEverywhere = async () => {
        const token = (await manager.refresh()).jwtToken;
        for (const node of [a, b]) statuses.add((await call(node.url, 'GET', `Bearer ${token}`)).res.status);
      };
      await useEverywhere();

      const rotated = await secret('rotate');
      assert.equal(rotated.code, 0, rotated.stderr);
      const after = (await a.store.settings.getJwtSecrets())!.current;
      assert.notEqual(after, before);
      // Both nodes pick it up within a poll (2 s; up to 20 s allowed for a busy machine); meanwhile and
      // after, every token works everywhere.
      let picked = false;
      for (let i = 0; i < 200 && !picked; i++) {
        await useEverywhere();
        const refreshed = await call(b.url, 'GET', `Bearer ${old}`);
        statuses.add(refreshed.res.status);
        picked = signedWith(refreshed.json.jwtToken as string, after);
        if (!picked) await sleep(100);
      }
      assert.ok(picked, 'node b signs with the rotated secret without a restart');
      await useEverywhere();
      assert.deepEqual([...statuses], [200], 'no client saw a 401 through the rotation');

      const refused = await secret('retire');
      assert.equal(refused.code, 1);
      assert.match(
        refused.stderr,
        /the secret was rotated 1 min ago: tokens signed with the previous one stay valid for \d+ min more; retire later, or with --force/,
      );
      assert.equal((await call(a.url, 'GET', `Bearer ${old}`)).res.status, 200, 'refused, so the old token still works');
      const forced = await secret('retire', '--force');
      assert.equal(forced.code, 0, forced.stderr);
      let gone = false;
      for (let i = 0; i < 200 && !gone; i++) {
        gone = (await Promise.all([a, b].map(async (node) => (await call(node.url, 'GET', `Bearer ${old}`)).res.status))).every(
          (s) => s === 401,
        );
        if (!gone) await sleep(100);
      }
      assert.ok(gone, 'once retired, tokens of the previous secret are refused on every node');
      await useEverywhere();
      assert.deepEqual([...statuses], [200], 'the current clients go on');
      assert.deepEqual(changes, ['login', ...Array(changes.length - 1).fill('refresh')], 'the client never had to log in again');
      const counts = await verificationCounts(b);
      assert.ok(counts['previous-1']! >= 1 && counts.current! >= 1, JSON.stringify(counts));
    } finally {
      await a.close();
      await b.close();
      await schema.drop();
    }
  });
});
