// The load-test record file: written whole (other pools kept), read back, and a damaged file
// refused with its name and what to do, never half-read.
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type LoadtestRecord, readLoadtestRecords, writeLoadtestRecords } from './loadtest-records.js';

const record = (pool: string, out: number): LoadtestRecord => ({
  pool,
  model: 'llama3-70b',
  sku: 'Standard_NC96ads_A100_v4',
  engine: 'vllm',
  simulated: false,
  measuredAt: '2026-12-03T10:00:00.000Z',
  durationSec: 60,
  replicas: 2,
  concurrencyPerReplica: 4,
  outputTokensPerSecondPerReplica: out,
  inputTokensPerSecondPerReplica: null,
  gpuAnswers: 100,
});

describe('load-test record file', () => {
  it('is absent until written; a write replaces its pools and keeps the others; no temporary file is left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpuarb-records-'));
    const file = join(dir, 'measured-throughput', 'rg.json');
    expect((await readLoadtestRecords(file)).size).toBe(0);
    await writeLoadtestRecords(file, [record('a', 10), record('b', 20)]);
    await writeLoadtestRecords(file, [record('a', 30)]);
    const back = await readLoadtestRecords(file);
    expect([...back.entries()].map(([p, r]) => [p, r.outputTokensPerSecondPerReplica])).toEqual([
      ['a', 30],
      ['b', 20],
    ]);
    expect(readdirSync(join(dir, 'measured-throughput'))).toEqual(['rg.json']);
  });

  it('refuses a damaged file, naming it and the fix', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpuarb-records-'));
    const notJson = join(dir, 'a.json');
    writeFileSync(notJson, '{"version": 1, "rec');
    await expect(readLoadtestRecords(notJson)).rejects.toThrow(`${notJson} is not a load-test record file`);
    const wrongShape = join(dir, 'b.json');
    writeFileSync(wrongShape, JSON.stringify({ version: 1, records: { a: { ...record('a', 1), replicas: -1 } } }));
    await expect(readLoadtestRecords(wrongShape)).rejects.toThrow(/records\.a\.replicas: .*; delete it and rerun the load test/);
  });
});
