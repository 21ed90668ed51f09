// The operator commands through the real CLI entry (runCli, in-process): help with examples,
// and usage errors with hints before any cloud call. Runs against the cloud are in src/ops/*.test.ts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runGpuarb } from '../../testkit/cli.js';
import { TEST_CONFIG } from '../../testkit/ops-cloud.js';
import { requestFrom } from './scale.js';

const cwd = mkdtempSync(join(tmpdir(), 'gpuarb-opscmd-'));
writeFileSync(join(cwd, 'gpuarb.yaml'), TEST_CONFIG);
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('operator commands: help', () => {
  it.each([
    ['status'],
    ['scale'],
    ['logs'],
    ['secrets', 'list'],
    ['secrets', 'rotate'],
    ['keys', 'create'],
    ['keys', 'list'],
    ['keys', 'revoke'],
    ['keys', 'rotate'],
    ['usage'],
  ])('%s %s --help shows examples and --local', async (...words) => {
    const r = await runGpuarb([...words.filter(Boolean), '--help'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Examples:\n {2}\$ gpuarb /);
    expect(r.stdout).toContain('--local');
  });
});

describe('operator commands: usage errors name the fix', () => {
  it.each([
    [['scale', 'phi'], /Nothing to change/],
    [['scale', 'phi', '--to', '2', '--autoscale', 'off'], /one kind of change/],
    [['scale', 'phi', '--min', '1'], /--min and --max go together/],
    [['secrets', 'rotate'], /Name one secret, or pass --all/],
    [['secrets', 'rotate', 'x', '--all'], /Name one secret, or pass --all/],
    [['logs', '--since', 'yesterday'], /--since "yesterday" is not a duration/],
    [['usage', '--since', '0d'], /is not a duration/],
  ])('gpuarb %j', async (args, message) => {
    const r = await runGpuarb([...args, '--json'], { cwd });
    expect(r.code).toBe(1);
    const err = JSON.parse(r.stdout).error;
    expect(err.message).toMatch(message);
    expect(err.hint).toBeTruthy();
  });

  it('rejects bad enum values through the schema', async () => {
    const r = await runGpuarb(['logs', '--level', 'loud'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--level/);
  });
});

describe('scale request parsing', () => {
  it('maps flags to one request', () => {
    expect(requestFrom({ to: 3 })).toEqual({ kind: 'capacity', to: 3 });
    expect(requestFrom({ min: 0, max: 5 })).toEqual({ kind: 'bounds', min: 0, max: 5 });
    expect(requestFrom({ regularPercent: 10 })).toEqual({ kind: 'mix', regularBase: undefined, regularPercent: 10 });
    expect(requestFrom({ autoscale: 'off' })).toEqual({ kind: 'autoscale', enabled: false });
  });
});
