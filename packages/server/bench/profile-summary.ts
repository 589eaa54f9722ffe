import { readFileSync } from 'node:fs';

// Reads a V8 .cpuprofile (node --cpu-prof, or npm run bench -- --profile DIR) and prints where the
// time went: by function (self time) and by package or part of the server. Used to find what a
// request costs before changing anything, and to show the limit that remains.
//
//   node --import tsx packages/server/bench/profile-summary.ts DIR/CPU.*.cpuprofile [--top 30]

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** The package (node_modules/<name>), the part of our source, node internals, or the runtime itself. */
function areaOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return `node: ${url.slice(5).split('/')[0]}`;
  const ours = /packages\/server\/dist\/(.*)\.js$/.exec(url);
  if (ours) return `server: ${ours[1]}`;
  return url;
}

export function summarize(profile: Profile, top: number): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
    total += dt;
  });
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const keyOf = (id: number) => {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const file = url.replace(/^.*node_modules\//, '').replace(/^.*packages\/server\//, '');
    return `${functionName || '(anonymous)'} ${file ? `${file}:${lineNumber + 1}` : ''}`.trim();
  };
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  // Inclusive: a function's own time plus that of everything it called (counted once per stack).
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const { functionName, url } = byId.get(id)!.callFrame;
    const key = keyOf(id);
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const area = areaOf(url, functionName);
    byArea.set(area, (byArea.get(area) ?? 0) + us);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      const name = keyOf(at);
      if (!seen.has(name)) inclusive.set(name, (inclusive.get(name) ?? 0) + us);
      seen.add(name);
    }
  }
  const lines = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => `${((100 * us) / total).toFixed(1).padStart(5)}%  ${name}`);
  return [
    `${(total / 1e6).toFixed(1)} s sampled`,
    '',
    'by area (self time):',
    ...lines(byArea),
    '',
    'by function (self time):',
    ...lines(byFunction),
    '',
    'by function (inclusive: itself and what it called):',
    ...lines(inclusive),
  ].join('\n');
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, ''))) {
  const args = process.argv.slice(2);
  const topAt = args.indexOf('--top');
  const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 25;
  for (const file of args) {
    process.stdout.write(`${file}\n${summarize(JSON.parse(readFileSync(file, 'utf8')) as Profile, top)}\n\n`);
  }
}
