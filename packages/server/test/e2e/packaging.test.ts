import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tempDir } from '../support/harness.js';

// `npm pack` of each package gives a tarball that installs into an empty folder and runs there:
// the pacerpro-auth and pacerpro bins, `serve` answering /healthz, the docs assets and the
// library exports. What users get from the registry, without the workspace around it.
// Installing builds better-sqlite3 from source here (no prebuilt binaries offline): about a minute.

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const PACKAGES = ['packages/server', 'packages/client'];

describe('installable packages', () => {
  const temp = tempDir();
  const app = join(temp.dir, 'app');
  const env = { ...process.env, LOG_LEVEL: 'silent', npm_config_update_notifier: 'false' };
  const npx = (args: string[]) => run('npx', ['--no', '--', ...args], { cwd: app, env });

  before(async () => {
    const { stdout } = await run(
      'npm',
      ['pack', '--json', '--ignore-scripts', '--pack-destination', temp.dir, ...PACKAGES.flatMap((p) => ['-w', p])],
      { cwd: ROOT, env },
    );
    const packed = JSON.parse(stdout) as Array<{ name: string; filename: string; files: Array<{ path: string }> }>;
    assert.deepEqual(packed.map((p) => p.name).sort(), ['pacerpro-auth', 'pacerpro-client']);
    for (const pack of packed) {
      // Only what runs ships: no sources, no tests.
      assert.equal(
        pack.files.some((f) => /^(src|test)\//.test(f.path)),
        false,
        `${pack.name} ships its sources or tests`,
      );
    }
    await run('mkdir', ['-p', app]);
    // Installed as an outsider would: a new project, the tarballs, nothing from the workspace.
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({ name: 'outsider', private: true, type: 'module', allowScripts: { 'better-sqlite3': true } }),
    );
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...packed.map((p) => join(temp.dir, p.filename))], {
      cwd: app,
      env,
    });
  });
  after(() => temp.remove());

  test('npx pacerpro-auth --help and --version, and --help of every command', async () => {
    const { version } = (await import('../../package.json', { with: { type: 'json' } })).default as { version: string };
    assert.match((await npx(['pacerpro-auth', '--help'])).stdout, /^Usage: pacerpro-auth \[command\]/);
    assert.equal((await npx(['pacerpro-auth', '--version'])).stdout.trim(), version);
    for (const command of [['serve'], ['users'], ['users', 'add'], ['import', 'devise']]) {
      assert.match((await npx(['pacerpro-auth', ...command, '--help'])).stdout, /^Usage: pacerpro-auth /, command.join(' '));
    }
  });

  test("the client's npx pacerpro --help, --version, and --help of every command", async () => {
    assert.match((await npx(['pacerpro', '--help'])).stdout, /^Usage: pacerpro /);
    assert.match((await npx(['pacerpro', '--version'])).stdout, /\d+\.\d+\.\d+/);
    for (const command of ['login', 'refresh', 'status', 'token', 'logout']) {
      assert.match((await npx(['pacerpro', command, '--help'])).stdout, new RegExp(`^Usage: pacerpro ${command}`), command);
    }
  });

  test('pacerpro-auth serve answers /healthz, /readyz, the OpenAPI document and the docs assets', async () => {
    // The installed bin itself (what npx runs), so that SIGTERM reaches the server and not an npx wrapper.
    const child = spawn(
      join(app, 'node_modules', '.bin', 'pacerpro-auth'),
      ['serve', '--port', '0', '--database-url', join(app, 'data', 'auth.db')],
      {
        cwd: app,
        env: { ...env, LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let output = '';
        const onData = (d: Buffer) => {
          output += d.toString();
          const match = /listening on (http:\/\/[^"\s]+)/.exec(output);
          if (match) resolve(match[1]!);
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        void exited.then((code) => reject(new Error(`serve exited with ${code}:\n${output}`)));
      });
      const health = await fetch(`${url}/healthz`);
      assert.deepEqual([health.status, await health.json()], [200, { status: 'ok' }]);
      assert.equal((await fetch(`${url}/readyz`)).status, 200);
      const doc = (await (await fetch(`${url}/v1/openapi.json`)).json()) as { openapi: string };
      assert.equal(doc.openapi, '3.1.0');
      const bundle = await fetch(`${url}/v1/docs/static/swagger-ui-bundle.js`);
      assert.equal(bundle.status, 200);
      await bundle.arrayBuffer();
      assert.ok(existsSync(join(app, 'data', 'auth.db')), 'the database was created where asked');
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });

  test("a relative link in a package's README or docs names a file its tarball carries, not one of the repository", () => {
    for (const name of ['pacerpro-auth', 'pacerpro-client']) {
      const installed = join(app, 'node_modules', name);
      for (const doc of readdirSync(installed).filter((file) => file.endsWith('.md'))) {
        const text = readFileSync(join(installed, doc), 'utf8');
        for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)\s]*)?\)/g)) {
          if (/^[a-z][a-z0-9+.-]*:/i.test(target!)) continue; // a URL
          assert.ok(existsSync(join(dirname(join(installed, doc)), target!)), `${name}/${doc} links ${target}, which its tarball lacks`);
        }
      }
    }
  });

  test('the libraries import from the installed packages', async () => {
    const script = [
      "const server = await import('pacerpro-auth');",
      "const client = await import('pacerpro-client');",
      'console.log(JSON.stringify([typeof server.pacerproAuth, typeof server.buildApp, typeof client.AuthenticationApi]));',
    ].join('\n');
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: app, env });
    assert.deepEqual(JSON.parse(stdout), ['function', 'function', 'function']);
  });
});
