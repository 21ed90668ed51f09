import { build } from './build.mjs';

// Spawned programs (gpuarb, gpuarb-agent, gpuarb-gateway, the emulator daemon) run from dist/,
// so every test run builds first and never tests stale output.
export default async function setup(): Promise<void> {
  await build({ quiet: true });
}
