import { defineConfig } from 'vitest/config';

// Tests live next to the code they test. Processes that tests spawn (agent, gateway,
// emulator daemon) run from dist/, which the global setup builds once per run.
export default defineConfig({
  test: {
    include: ['{contracts,lib,src,fleet-agent,gateway,emulator,bench,scripts,test}/**/*.test.{ts,tsx}'],
    exclude: ['**/node_modules/**', 'dist/**', '.gpuarb/**'],
    globalSetup: ['./scripts/vitest-global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
