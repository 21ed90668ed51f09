// The operator commands end to end through `runCli` with --local: the local cloud's daemon is
// started by the first command (src/azure/local-cloud.ts) and stopped at the end. Nothing is
// provisioned, so this checks the --local wiring and how each command answers an empty stack.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stopDaemon } from '../../emulator/daemon-control.js';
import { runGpuarb } from '../../testkit/cli.js';
import { TEST_CONFIG } from '../../testkit/ops-cloud.js';

const cwd = mkdtempSync(join(tmpdir(), 'gpuarb-opslocal-'));
writeFileSync(join(cwd, 'gpuarb.yaml'), TEST_CONFIG);
const stateDir = join(cwd, '.gpuarb', 'local');
const env = { GPUARB_LOCAL_STATE_DIR: stateDir };

afterAll(async () => {
  await stopDaemon({ stateDir, timeoutMs: 20_000 });
  rmSync(cwd, { recursive: true, force: true });
}, 30_000);

describe('operator commands with --local on an empty stack', () => {
  it('status: degraded (exit 8) and says the scale set is missing', async () => {
    const r = await runGpuarb(['status', '--local', '--json'], { cwd, env });
    expect(r.code).toBe(8);
    const report = JSON.parse(r.stdout);
    expect(report.degraded).toBe(true);
    expect(report.problems[0]).toMatch(/pool phi: its scale set does not exist/);
    expect(report.pools[0]).toMatchObject({ name: 'phi', desired: null, actual: 0 });
  }, 90_000);

  it('secrets list, keys list and usage fail with an Azure error and a hint to run up', async () => {
    for (const args of [['secrets', 'list'], ['keys', 'list'], ['usage']]) {
      const r = await runGpuarb([...args, '--local', '--json'], { cwd, env });
      expect(r.code, args.join(' ')).toBe(1);
      const err = JSON.parse(r.stdout).error;
      expect(err.code).toMatch(/NotFound/);
      expect(err.hint).toMatch(/gpuarb up/);
    }
  }, 60_000);

  it('scale refuses an unknown pool before any call', async () => {
    const r = await runGpuarb(['scale', 'nope', '--to', '1', '--local', '--json'], { cwd, env });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'UnknownPool', hint: 'Pools: phi.' });
  }, 60_000);
});
