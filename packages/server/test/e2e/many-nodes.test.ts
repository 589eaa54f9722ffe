import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PASSWORD, call, decodeJwt, login } from '../support/harness.js';
import { afterDatabaseNote, runCli, startServe, type ServeProcess } from '../support/cli.js';
import { freshSchema, postgresSkip, type TestSchema } from '../support/postgres.js';

// Three real server processes on one PostgreSQL schema, as behind a load balancer: whatever node
// a request lands on, a logout anywhere is the truth everywhere. Needs the built bin (npm test builds).

const skip = await postgresSkip();
if (skip) console.log(skip);

describe('many nodes on one PostgreSQL', { skip }, () => {
  let schema: TestSchema;
  let nodes: ServeProcess[] = [];
  const urls = () => nodes.map((node) => node.url);

  const addUser = (email: string) => runCli(['users', 'add', email, '--password-stdin', '--database-url', schema.url], { stdin: PASSWORD });

  async function loginOn(url: string, email: string): Promise<string> {
    const { res, json } = await login(url, { email, password: PASSWORD });
    assert.equal(res.status, 200, JSON.stringify(json));
    return json.jwtToken as string;
  }

  async function statusEverywhere(token: string): Promise<number[]> {
    return Promise.all(urls().map(async (url) => (await call(url, 'GET', `Bearer ${token}`)).res.status));
  }

  before(async () => {
    schema = await freshSchema();
    for (const email of ['alice@example.com', 'bob@example.com']) assert.equal((await addUser(email)).code, 0);
    // Started together with no PACERPRO_JWT_SECRET: they must agree on the one generated in the database.
    nodes = await Promise.all([1, 2, 3].map(() => startServe(['--host', '127.0.0.1', '--database-url', schema.url])));
  });

  after(async () => {
    for (const node of nodes) node.child.kill('SIGTERM');
    await Promise.all(nodes.map((node) => node.exited));
    await schema?.drop();
  });

  it('log in on A, refresh on B, log out on C: both tokens are refused on every node', async () => {
    const [a, b, c] = urls() as [string, string, string];
    const fromA = await loginOn(a, 'alice@example.com');
    const refreshed = await call(b, 'GET', `Bearer ${fromA}`);
    assert.equal(refreshed.res.status, 200);
    const fromB = refreshed.json.jwtToken as string;
    assert.deepEqual(await statusEverywhere(fromA), [200, 200, 200]);
    assert.deepEqual(await statusEverywhere(fromB), [200, 200, 200]);

    assert.equal((await call(c, 'DELETE', `Bearer ${fromB}`)).res.status, 200);
    assert.deepEqual(await statusEverywhere(fromA), [401, 401, 401]);
    assert.deepEqual(await statusEverywhere(fromB), [401, 401, 401]);
  });

  it('a control character (NUL) in the e-mail is a failed login (401), not a database error', async () => {
    for (const email of ['a\u0000b@example.com', 'alice@example.com\u0000', 'bob\n@example.com']) {
      const { res, json } = await login(urls()[0]!, { email, password: PASSWORD });
      assert.equal(res.status, 401, JSON.stringify(json));
      assert.equal(json.code, 'invalid_credentials');
    }
  });

  it('50 concurrent refreshes and one logout: once the logout answered, no earlier token is accepted anywhere', async () => {
    const first = await loginOn(urls()[0]!, 'bob@example.com');
    const minted = [first];
    const refreshes: Promise<number>[] = [];
    let logout: Promise<number> | undefined;
    for (let i = 0; i < 50; i++) {
      if (i === 25) logout = call(urls()[2]!, 'DELETE', `Bearer ${first}`).then(({ res }) => res.status);
      refreshes.push(
        call(urls()[i % 3]!, 'GET', `Bearer ${first}`).then(({ res, json }) => {
          if (res.status === 200) minted.push(json.jwtToken as string);
          return res.status;
        }),
      );
    }
    assert.equal(await logout, 200);
    // Right now, with refreshes possibly still in flight: everything minted so far is dead everywhere.
    for (const token of [...minted]) assert.deepEqual(await statusEverywhere(token), [401, 401, 401]);

    for (const status of await Promise.all(refreshes)) assert.ok(status === 200 || status === 401, `refresh answered ${status}`);
    // Refreshes that finished after the logout carried the old jti too: also dead.
    for (const token of minted) {
      assert.equal(decodeJwt(token).payload.jti, decodeJwt(first).payload.jti);
      assert.deepEqual(await statusEverywhere(token), [401, 401, 401]);
    }
    // And the account itself still works: a new login on any node gives a token every node accepts.
    assert.deepEqual(await statusEverywhere(await loginOn(urls()[1]!, 'bob@example.com')), [200, 200, 200]);
  });

  it('two concurrent `users add` of one e-mail: one wins, the other fails with a one-line reason', async () => {
    const results = await Promise.all([addUser('carol@example.com'), addUser('Carol@Example.com')]);
    const codes = results.map((r) => r.code).sort();
    assert.deepEqual(codes, [0, 1]);
    const loser = results.find((r) => r.code === 1)!;
    assert.match(afterDatabaseNote(loser.stderr), /^pacerpro-auth: a user with the e-mail \S+ already exists\n$/i);
    assert.equal(loser.stdout, '');
  });
});
