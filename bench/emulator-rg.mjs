// Benchmark: resource-group create + read + delete through @azure/arm-resources against the
// local cloud on the fast profile; median over 60 rounds (after 5 warm-up rounds).
// Run: npx tsx bench/emulator-rg.mjs
import { ResourceManagementClient } from '@azure/arm-resources';
import { startEmulator } from '../emulator/index.ts';

const ROUNDS = 60;
const emu = await startEmulator({ profile: 'fast' });
const client = new ResourceManagementClient(emu.credential, emu.subscriptionId, emu.clientOptions());
const times = [];
for (let i = -5; i < ROUNDS; i++) {
  const t0 = performance.now();
  await client.resourceGroups.createOrUpdate(`bench-${i + 5}`, { location: 'eastus' });
  await client.resourceGroups.get(`bench-${i + 5}`);
  await client.resourceGroups.beginDeleteAndWait(`bench-${i + 5}`, { updateIntervalInMs: 0 });
  if (i >= 0) times.push(performance.now() - t0);
}
await emu.stop();
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(
  JSON.stringify({
    benchmark: 'emulator-rg',
    rounds: ROUNDS,
    medianMs: +median.toFixed(2),
    p90Ms: +times[Math.floor(times.length * 0.9)].toFixed(2),
    targetMs: 20,
  }),
);
