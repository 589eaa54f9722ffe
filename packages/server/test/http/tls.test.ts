import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';
import { startServer } from '../../src/server.js';
import { runCli, startServe } from '../support/cli.js';
import { tempDir } from '../support/harness.js';

// PACERPRO_TLS_CERT + PACERPRO_TLS_KEY: the server speaks HTTPS with the certificate given, here a
// self-signed one made by the test with the openssl command; a wrong setting stops the start.

interface Pem {
  readonly certPath: string;
  readonly keyPath: string;
  readonly cert: Buffer;
}

function selfSigned(dir: string, name: string): Pem {
  const certPath = join(dir, `${name}-cert.pem`);
  const keyPath = join(dir, `${name}-key.pem`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      keyPath,
      '-out',
      certPath,
    ],
    { stdio: 'ignore' },
  );
  return { certPath, keyPath, cert: readFileSync(certPath) };
}

/** One HTTPS request that trusts only `ca`; answers the status, the body and the server's certificate. */
function httpsRequest(url: string, ca: Buffer, options: { method?: string; body?: string } = {}) {
  return new Promise<{ status: number; body: string; fingerprint: string }>((resolve, reject) => {
    const req = request(
      url,
      { ca, method: options.method ?? 'GET', headers: options.body ? { 'content-type': 'application/json' } : {} },
      (res) => {
        const fingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, fingerprint }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('TLS', () => {
  const temp = tempDir();
  let pem: Pem;
  let other: Pem;
  before(() => {
    pem = selfSigned(temp.dir, 'server');
    other = selfSigned(temp.dir, 'other');
  });
  after(() => temp.remove());

  const env = (extra: Record<string, string>) => ({ DATABASE_URL: join(temp.dir, 'tls.db'), PORT: '0', LOG_LEVEL: 'silent', ...extra });

  test('serves HTTPS with the configured certificate', async () => {
    const server = await startServer(loadConfig(env({ PACERPRO_TLS_CERT: pem.certPath, PACERPRO_TLS_KEY: pem.keyPath })));
    try {
      assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      const health = await httpsRequest(`${server.url}/healthz`, pem.cert);
      assert.equal(health.status, 200);
      assert.deepEqual(JSON.parse(health.body), { status: 'ok' });
      assert.equal(health.fingerprint, new X509Certificate(pem.cert).fingerprint256);
      const login = await httpsRequest(`${server.url}/v1/session`, pem.cert, { method: 'POST', body: '{}' });
      assert.equal(login.status, 401);
      assert.equal(JSON.parse(login.body).code, 'invalid_credentials');
      // A client that does not trust this certificate is refused.
      await assert.rejects(httpsRequest(`${server.url}/healthz`, other.cert), /self-signed|certificate/i);
    } finally {
      await server.close();
    }
  });

  test('pacerpro-auth serve --tls-cert --tls-key listens on https', async () => {
    const serve = await startServe(['--tls-cert', pem.certPath, '--tls-key', pem.keyPath, '--database-url', join(temp.dir, 'cli.db')]);
    try {
      assert.match(serve.url, /^https:\/\//);
      assert.equal((await httpsRequest(`${serve.url}/readyz`, pem.cert)).status, 200);
    } finally {
      serve.child.kill('SIGTERM');
      assert.equal(await serve.exited, 0);
    }
  });

  test('a certificate without its key, or a key without its certificate, is a configuration error', () => {
    for (const extra of [{ PACERPRO_TLS_CERT: pem.certPath }, { PACERPRO_TLS_KEY: pem.keyPath }] as Array<Record<string, string>>) {
      assert.throws(
        () => loadConfig(env(extra)),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.match(error.message, /PACERPRO_TLS_CERT and PACERPRO_TLS_KEY/);
          return true;
        },
      );
    }
  });

  test('a missing file, a file that is not PEM, or the key of another certificate stops the start with a clear error', async () => {
    const notPem = join(temp.dir, 'not-pem.txt');
    writeFileSync(notPem, 'hello\n');
    const cases: Array<[Record<string, string>, RegExp]> = [
      [
        { PACERPRO_TLS_CERT: join(temp.dir, 'missing.pem'), PACERPRO_TLS_KEY: pem.keyPath },
        /PACERPRO_TLS_CERT=".*missing\.pem" cannot be read: ENOENT/,
      ],
      [{ PACERPRO_TLS_CERT: pem.certPath, PACERPRO_TLS_KEY: temp.dir }, /PACERPRO_TLS_KEY=".*" cannot be read: EISDIR/],
      [
        { PACERPRO_TLS_CERT: notPem, PACERPRO_TLS_KEY: pem.keyPath },
        /PACERPRO_TLS_CERT=".*not-pem\.txt" is not valid: expected a PEM certificate/,
      ],
      [
        { PACERPRO_TLS_CERT: pem.certPath, PACERPRO_TLS_KEY: notPem },
        /PACERPRO_TLS_KEY=".*not-pem\.txt" is not valid: expected an unencrypted PEM private key/,
      ],
      [
        { PACERPRO_TLS_CERT: pem.certPath, PACERPRO_TLS_KEY: other.keyPath },
        /PACERPRO_TLS_KEY=".*other-key\.pem" is not the private key of the certificate/,
      ],
    ];
    for (const [extra, message] of cases) {
      await assert.rejects(startServer(loadConfig(env(extra))), (error: unknown) => {
        assert.ok(error instanceof ConfigError, String(error));
        assert.match(error.message, message);
        return true;
      });
    }
    const cli = await runCli([
      'serve',
      '--port',
      '0',
      '--database-url',
      join(temp.dir, 'cli2.db'),
      '--tls-cert',
      join(temp.dir, 'missing.pem'),
      '--tls-key',
      pem.keyPath,
    ]);
    assert.equal(cli.code, 1);
    assert.match(cli.stderr, /^pacerpro-auth: PACERPRO_TLS_CERT=".*missing\.pem" cannot be read: ENOENT.*\n$/);
  });
});
