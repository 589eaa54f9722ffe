// What the package promises about its entry points: the main one loads no Node module (it runs in
// browsers), the Node-only parts are behind `pacerpro-client/node`, and the bin shim is executable.
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { describe, it } from 'node:test';

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');

/** Every module the entry reaches through relative imports. */
function reachable(entry: string): Map<string, string> {
  const seen = new Map<string, string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const source = read(`../src/${file}`);
    seen.set(file, source);
    for (const [, target] of source.matchAll(/from '\.\/([\w-]+)\.js'/g)) visit(`${target}.ts`);
  };
  visit(entry);
  return seen;
}

describe('entry points', () => {
  it('the main entry reaches no node: module', () => {
    const modules = reachable('index.ts');
    assert.ok(modules.has('session-manager.ts') && modules.has('authentication-api.ts'));
    for (const [file, source] of modules) assert.doesNotMatch(source, /from 'node:/, `${file} imports a Node module`);
  });

  it('pacerpro-client/node and the bin are declared, and the shim is executable', () => {
    const manifest = JSON.parse(read('../package.json')) as {
      exports: Record<string, { default: string }>;
      bin: Record<string, string>;
      dependencies?: unknown;
    };
    assert.equal(manifest.exports['./node']?.default, './dist/node.js');
    assert.equal(manifest.bin.pacerpro, 'bin/pacerpro.js');
    assert.equal(manifest.dependencies, undefined, 'the SDK has no runtime dependencies');
    assert.ok(statSync(new URL('../bin/pacerpro.js', import.meta.url)).mode & 0o111);
    assert.match(read('../bin/pacerpro.js'), /^#!\/usr\/bin\/env node\n/);
  });
});
