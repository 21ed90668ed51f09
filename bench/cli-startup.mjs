// bench/cli-startup: how fast `gpuarb --version` and `gpuarb --help` start, side by side with a
// bare `node -e 0`, interleaved so machine noise hits all three alike. Target: --version at most
// 3× the bare Node start (median of at least 10 runs). Usage: node bench/cli-startup.mjs [runs]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join, dirname } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 21);
const cases = {
  'node -e 0': ['-e', '0'],
  'gpuarb --version': [join(root, 'bin/gpuarb.js'), '--version'],
  'gpuarb --help': [join(root, 'bin/gpuarb.js'), '--help'],
};
const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
spawnSync(process.execPath, cases['gpuarb --version']); // build dist/ if missing, warm the disk cache
for (let i = 0; i < runs; i++) {
  for (const [name, args] of Object.entries(cases)) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`${name} exited ${r.status}`);
    times[name].push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(times['node -e 0']);
const result = Object.fromEntries(
  Object.entries(times).map(([k, v]) => [k, { medianMs: +median(v).toFixed(1), ratio: +(median(v) / base).toFixed(2) }]),
);
console.log(JSON.stringify({ runs, node: process.version, result }, null, 2));
const ratio = result['gpuarb --version'].ratio;
console.log(ratio <= 3 ? `ok: --version is ${ratio}× bare node (target ≤ 3×)` : `MISSED: --version is ${ratio}× bare node (target ≤ 3×)`);
