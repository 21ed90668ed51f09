// `npm run bench [-- name…]`: runs the benchmarks one after another (never side by side: each
// measures this machine's CPUs), with the arguments their headers document. Those that record
// their figures append them to bench/RESULTS.md. Names: cli-startup, emulator-rg, up, agent,
// gateway, loadgen.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const benches = {
  'cli-startup': ['bench/cli-startup.mjs'],
  'emulator-rg': ['bench/emulator-rg.mjs'],
  up: ['bench/up.ts'],
  agent: ['bench/agent.ts', '3', '3', '--write'],
  gateway: ['bench/gateway.mjs', '6'],
  loadgen: ['bench/loadgen.mjs'],
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((n) => !(n in benches));
if (unknown.length) {
  process.stderr.write(`unknown benchmark: ${unknown.join(', ')}\nknown: ${Object.keys(benches).join(', ')}\n`);
  process.exit(2);
}
let failed = 0;
for (const [name, [file, ...args]] of Object.entries(benches)) {
  if (wanted.length && !wanted.includes(name)) continue;
  process.stderr.write(`\n== ${name}: node --import tsx ${file} ${args.join(' ')}\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, file), ...args], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    process.stderr.write(`== ${name} failed (exit ${r.status ?? r.signal})\n`);
  }
}
process.exit(failed ? 1 : 0);
