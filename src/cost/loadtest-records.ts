// `gpuarb loadtest` results kept per pool, for `gpuarb cost` to read as measured throughput.
//
// Where: a JSON file under the stack's state directory on the machine that ran the test
// (`<local cloud state dir>/measured-throughput/<resource group>.json` for `--local`,
// `.gpuarb/measured-throughput/<resource group>.json` beside gpuarb.yaml for Azure). Not the
// stack's Cosmos: that would need a new container and a data-plane role for the operator (an
// infrastructure change for a figure only the operator's CLI reads), and a load test is an
// operator's act, like the build artefacts already kept under `.gpuarb/`. The cost is that
// another operator's machine does not see it (docs/cost.md says so).
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { z } from 'zod';
import type { AzureTarget } from '../azure/target.js';

const recordSchema = z.strictObject({
  pool: z.string(),
  model: z.string(),
  sku: z.string(),
  /** The engine that answered: `sim` whenever the answers said they were simulated. */
  engine: z.string(),
  simulated: z.boolean(),
  /** ISO time the run ended. */
  measuredAt: z.string(),
  durationSec: z.number().positive(),
  /** Mean replicas over the run (replica-seconds of the pool's VMs ÷ duration). */
  replicas: z.number().positive(),
  /** Mean requests in flight per replica that reached a GPU (Little's law: busy time ÷ duration ÷ replicas). */
  concurrencyPerReplica: z.number().min(0),
  outputTokensPerSecondPerReplica: z.number().min(0),
  inputTokensPerSecondPerReplica: z.number().min(0).nullable(),
  /** Answers that reached a GPU (cache hits left out: they cost no GPU time). */
  gpuAnswers: z.number().int().min(0),
});
export type LoadtestRecord = z.infer<typeof recordSchema>;

const fileSchema = z.strictObject({ version: z.literal(1), records: z.record(z.string(), recordSchema) });

export function recordsFile(t: AzureTarget, cwd: string, resourceGroup: string): string {
  return join(t.stateDir ?? join(cwd, '.gpuarb'), 'measured-throughput', `${resourceGroup}.json`);
}

/** The file as a user in `cwd` would type it: relative when inside it. */
export function shownPath(cwd: string, file: string): string {
  const r = relative(cwd, file);
  return r.startsWith('..') || isAbsolute(r) ? file : r;
}

/** The newest record per pool; none when the file is absent. A damaged file is an error naming it. */
export async function readLoadtestRecords(file: string): Promise<Map<string, LoadtestRecord>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw e;
  }
  const damaged = (why: string) => new Error(`${file} is not a load-test record file (${why}); delete it and rerun the load test`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw damaged((e as Error).message);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) throw damaged(`${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
  return new Map(Object.entries(parsed.data.records));
}

/** Replaces the pools' records (others kept); written whole to a temporary file, then renamed. */
export async function writeLoadtestRecords(file: string, records: LoadtestRecord[]): Promise<void> {
  // A damaged file is replaced by this run's records: what `cost` would tell the user to do anyway.
  const current = await readLoadtestRecords(file).catch(() => new Map<string, LoadtestRecord>());
  for (const r of records) current.set(r.pool, recordSchema.parse(r));
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify({ version: 1, records: Object.fromEntries(current) }, null, 2)}\n`);
  await rename(tmp, file);
}

/** Per-model figures of one run, as the load test's recorder counts them. */
export interface ModelRun {
  gpuAnswers: number;
  gpuCompletionTokens: number;
  /** Null when some GPU answer carried no prompt token count. */
  gpuPromptTokens: number | null;
  /** Summed latency of the GPU answers, ms. */
  gpuBusyMs: number;
  simulatedAnswers: number;
}

/**
 * One pool's record from a run: tokens the GPUs produced ÷ the pool's replica-seconds in the run.
 * `replicaHours` are the hours of the pool's VMs inside the run's window (pool-hours.ts).
 */
export function recordOf(p: {
  pool: { name: string; model: string; sku: string; engine: string };
  run: ModelRun;
  replicaHours: number;
  durationSec: number;
  measuredAt: string;
}): LoadtestRecord | null {
  const replicaSeconds = p.replicaHours * 3600;
  if (!(replicaSeconds > 0) || p.run.gpuAnswers === 0) return null;
  const simulated = p.run.simulatedAnswers > 0;
  return {
    pool: p.pool.name,
    model: p.pool.model,
    sku: p.pool.sku,
    engine: simulated ? 'sim' : p.pool.engine,
    simulated,
    measuredAt: p.measuredAt,
    durationSec: p.durationSec,
    replicas: replicaSeconds / p.durationSec,
    concurrencyPerReplica: p.run.gpuBusyMs / 1000 / replicaSeconds,
    outputTokensPerSecondPerReplica: p.run.gpuCompletionTokens / replicaSeconds,
    inputTokensPerSecondPerReplica: p.run.gpuPromptTokens === null ? null : p.run.gpuPromptTokens / replicaSeconds,
    gpuAnswers: p.run.gpuAnswers,
  };
}
