import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { keyringOf, readPreviousSecrets } from '../../src/auth/jwt-secret.js';
import type { SecretLabel } from '../../src/auth/keyring.js';
import { ACTIVATION_MS, retireRefusal, rotate } from '../../src/auth/secret-rotation.js';
import { createTokenService } from '../../src/auth/tokens.js';
import { ConfigError } from '../../src/config.js';

// The keyring: a current secret that signs and previous ones that still verify, tried only when
// the current one's signature does not match; and the rules of rotate and retire.

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const user = { id: 7, jti: randomUUID() };

describe('verifying with a keyring', () => {
  test('a current token matches the current secret at the first try; older tokens match their previous secret; others none', () => {
    const seen: SecretLabel[] = [];
    const tokens = createTokenService({ keyring: { current: A, previous: [B, C] }, ttlSeconds: 60, observe: (s) => seen.push(s) });
    const signedWith = (secret: string) => createTokenService({ secret, ttlSeconds: 60 }).issue(user).token;
    for (const token of [tokens.issue(user).token, signedWith(B), signedWith(C), signedWith('d'.repeat(40))]) tokens.verify(token);
    assert.deepEqual(seen, ['current', 'previous-1', 'previous-2', 'none']);
    assert.equal(tokens.verify(signedWith(C)).ok, true);
    assert.equal(tokens.verify(signedWith('d'.repeat(40))).ok, false);
  });

  test('a malformed token is refused without trying any other secret, and counts as no signature check', () => {
    const seen: SecretLabel[] = [];
    const tokens = createTokenService({ keyring: { current: A, previous: [B] }, ttlSeconds: 60, observe: (s) => seen.push(s) });
    assert.deepEqual(tokens.verify('not.a.token'), { ok: false, reason: 'invalid_token' });
    assert.deepEqual(seen, []);
  });

  test('useKeyring moves signing to the new current secret, and a removed secret no longer verifies', () => {
    const tokens = createTokenService({ keyring: { current: A, previous: [] }, ttlSeconds: 60 });
    const old = tokens.issue(user).token;
    tokens.useKeyring({ current: B, previous: [A] });
    const fresh = tokens.issue(user).token;
    assert.equal(createTokenService({ secret: B, ttlSeconds: 60 }).verify(fresh).ok, true, 'new tokens are signed with B');
    assert.equal(tokens.verify(old).ok, true, 'A still verifies as previous-1');
    tokens.useKeyring({ current: B, previous: [] });
    assert.equal(tokens.verify(old).ok, false);
  });
});

describe('a rotation of the generated secret', () => {
  test('the new secret only verifies for its first seconds, so no node refuses the tokens a faster node signs with it', () => {
    const rotatedAt = Date.UTC(2026, 11, 3, 12);
    const stored = { current: B, previous: [{ secret: A, rotatedAt: new Date(rotatedAt) }], previousUsedAt: undefined };
    assert.deepEqual(keyringOf(stored, rotatedAt + ACTIVATION_MS - 1), { current: A, upcoming: B, previous: [] });
    assert.deepEqual(keyringOf(stored, rotatedAt + ACTIVATION_MS), { current: B, previous: [A] });
    const seen: SecretLabel[] = [];
    const early = createTokenService({ keyring: keyringOf(stored, rotatedAt), ttlSeconds: 60, observe: (s) => seen.push(s) });
    early.verify(createTokenService({ secret: B, ttlSeconds: 60 }).issue(user).token);
    assert.deepEqual(seen, ['upcoming']);
  });
});

describe('the previous secrets file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pacerpro-previous-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const refusal = async (path: string) => {
    const error = await readPreviousSecrets(path, A).then(
      () => assert.fail('accepted'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ConfigError);
    assert.ok(!error.message.includes('short-secret') && !error.message.includes(A), 'no secret in the message');
    return error.message;
  };

  test('reads one secret per line, newest first, skipping blank lines, comments and CRLF endings', async () => {
    assert.deepEqual(await readPreviousSecrets(file('ok', `# rotated 2026-12-01\n${B}\r\n\n${C}\n`), A), [B, C]);
  });

  test('a short, repeated or current secret, too many secrets or a missing file stop start-up naming the file and line, never the secret', async () => {
    assert.match(
      await refusal(file('short', `${B}\nshort-secret\n`)),
      /PACERPRO_JWT_PREVIOUS_SECRETS_FILE=".*short", line 2: a secret needs at least 32 bytes, this one has 12/,
    );
    assert.match(await refusal(file('repeated', `${B}\n${B}\n`)), /line 2 repeats an earlier line/);
    assert.match(await refusal(file('current', `${A}\n`)), /line 1 is PACERPRO_JWT_SECRET itself/);
    assert.match(await refusal(file('many', `${B}\n${C}\n${'d'.repeat(32)}\n${'e'.repeat(32)}\n`)), /lists 4 secrets; at most 3/);
    assert.match(await refusal(join(dir, 'missing')), /cannot be read: ENOENT/);
  });
});

describe('rotate and retire', () => {
  const T = Date.UTC(2026, 11, 3, 12);
  const hour = 3_600_000;

  test('rotate puts the old secret first among the previous ones and keeps at most three', () => {
    const stored = {
      current: C,
      previous: [B, A, 'z'].map((secret, i) => ({ secret, rotatedAt: new Date(T - i) })),
      previousUsedAt: undefined,
    };
    const next = rotate(stored, 'new', new Date(T + 1));
    assert.equal(next.current, 'new');
    assert.deepEqual(
      next.previous.map((p) => p.secret),
      [C, B, A],
    );
  });

  test('retire is refused within one token lifetime of the rotation, or while a node still sees a previous secret in use', () => {
    const rotatedAt = new Date(T);
    const stored = { current: B, previous: [{ secret: A, rotatedAt }], previousUsedAt: undefined };
    assert.match(
      retireRefusal(stored, T + hour - 1, hour) ?? '',
      /rotated 60 min ago: tokens signed with the previous one stay valid for 1 min more/,
    );
    assert.equal(retireRefusal(stored, T + hour + 10_000, hour), undefined);
    const inUse = { ...stored, previousUsedAt: new Date(T + 2 * hour) };
    assert.match(
      retireRefusal(inUse, T + 2 * hour + 60_000, hour) ?? '',
      /a node verified a token signed with a previous secret 1 min ago/,
    );
    assert.equal(retireRefusal({ ...stored, previous: [] }, T, hour), 'there is no previous secret to retire');
  });
});
