// After a load test of this stack's own API: one throughput record per pool it drove
// (src/cost/loadtest-records.ts), for `gpuarb cost` to use as measured throughput. Output tokens
// the GPUs produced (cache hits left out) ÷ the replica-seconds of the pool's VMs inside the
// run. Nothing is recorded when the figure would be wrong: evictions during the run (VMs gone
// from ARM are not counted, so replicas would be undercounted), a model served by several pools
// (an answer does not say which pool produced it), a URL that is not this stack's API.
import type { Context } from '../core/context.js';
import type { LoadtestRecord } from '../cost/loadtest-records.js';
import type { Recorder } from './recorder.js';
import type { ChaosEvent } from './types.js';

export interface ThroughputRecording {
  /** As the user would type it (relative to the working directory when inside it). */
  file: string | null;
  records: LoadtestRecord[];
  /** Why a model (or the whole run) was not recorded. */
  skipped: string[];
}

const short = (e: unknown) => String((e as Error)?.message ?? e).split('\n')[0];

export async function recordThroughput(
  ctx: Context,
  run: { local: boolean; baseUrl: string; recorder: Recorder; events: ChaosEvent[]; fromMs: number; toMs: number },
): Promise<ThroughputRecording> {
  const none = (why: string): ThroughputRecording => ({ file: null, records: [], skipped: [why] });
  if (run.events.some((e) => e.kind === 'evict'))
    return none('not recorded: VMs evicted during the run are gone from ARM, so the replica count would be too low');
  const { loadStack } = await import('../ops/stack.js');
  let stack: Awaited<ReturnType<typeof loadStack>>;
  try {
    stack = await loadStack(ctx);
  } catch (e) {
    return none(`not recorded: no stack config here (${short(e)})`);
  }
  if (!run.local) {
    const { apimClient } = await import('../ops/azure-clients.js');
    const gatewayUrl = await apimClient(stack.target)
      .then((c) => c.apiManagementService.get(stack.resourceGroup, stack.names.apim))
      .then((s) => s.gatewayUrl)
      .catch(() => undefined);
    if (!gatewayUrl || `${gatewayUrl.replace(/\/+$/, '')}/v1` !== run.baseUrl.replace(/\/+$/, ''))
      return none(`not recorded: ${run.baseUrl} is not the API of stack ${stack.config.stack}`);
  }
  const [{ poolHours }, records] = await Promise.all([import('../ops/pool-hours.js'), import('../cost/loadtest-records.js')]);
  const hours = await poolHours(ctx, { fromMs: run.fromMs, toMs: run.toMs });
  const durationSec = (run.toMs - run.fromMs) / 1000;
  const out: LoadtestRecord[] = [];
  const skipped: string[] = [];
  for (const [model, stats] of run.recorder.perModel) {
    const pools = stack.config.pools.filter((p) => p.model === model);
    if (pools.length !== 1) {
      skipped.push(
        `${model}: served by ${pools.length ? pools.map((p) => p.name).join(', ') : 'no pool'}; recorded only for a model one pool serves`,
      );
      continue;
    }
    const pool = pools[0];
    const h = hours.get(pool.name);
    const g = stats.gpu;
    const record = records.recordOf({
      pool,
      run: {
        gpuAnswers: g.answers,
        gpuCompletionTokens: g.completionTokens,
        gpuPromptTokens: g.withoutPromptCount ? null : g.promptTokens,
        gpuBusyMs: g.busyMs,
        simulatedAnswers: g.simulated,
      },
      replicaHours: h ? h.regularHours + h.spotHours : 0,
      durationSec,
      measuredAt: new Date(run.toMs).toISOString(),
    });
    if (record) out.push(record);
    else skipped.push(`${pool.name}: no answer reached a GPU, or no VM of the pool ran during the test`);
  }
  if (!out.length) return { file: null, records: [], skipped };
  const file = records.recordsFile(stack.target, ctx.cwd, stack.resourceGroup);
  await records.writeLoadtestRecords(file, out);
  return { file: records.shownPath(ctx.cwd, file), records: out, skipped };
}
