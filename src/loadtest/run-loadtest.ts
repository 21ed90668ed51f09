// One load test, start to finish: resolve the endpoint, load and check the workload, preflight
// the endpoint and the chaos targets (all before the first request), run the load with the live
// view and the chaos schedule, then build the report and write --out.
import { writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import type { Context } from '../core/context.js';
import { builtinWorkload, type WorkloadSource } from './builtin-workload.js';
import { startChaos } from './chaos.js';
import { createSender } from './http-client.js';
import { loadJsonlWorkload } from './jsonl-workload.js';
import { snapshotter } from './live-snapshot.js';
import { resolveLocalEndpoint, type LocalEndpoint } from './local-endpoint.js';
import type { LoadPlan } from './plan.js';
import { preflight } from './preflight.js';
import { Recorder } from './recorder.js';
import type { ThroughputRecording } from './record-throughput.js';
import { buildReport, type LoadReport } from './report.js';
import { createRng } from './rng.js';
import { startLoad } from './runner.js';
import { secretRotator, type SecretRotator } from './secret-rotation.js';
import { spotEvictor, type Evictor } from './spot-evictor.js';
import type { ChaosEvent } from './types.js';

export interface LoadtestResult extends LoadReport {
  /** Where --out wrote the report, if asked. */
  reportFile: string | null;
  /** The per-pool throughput records kept for `gpuarb cost` (record-throughput.ts). */
  throughput: ThroughputRecording;
}

async function workloadFor(ctx: Context, plan: LoadPlan): Promise<{ source: WorkloadSource; label: string }> {
  const mixLabel = plan.mix.map(([m, w]) => `${m}=${w}`).join(',');
  if (plan.workload.kind === 'builtin') {
    return {
      source: builtinWorkload({ mix: plan.mix, repeatShare: plan.workload.repeatShare, seed: plan.seed, stream: plan.stream }),
      label: `builtin (${Math.round(plan.workload.repeatShare * 100)}% repeats; mix ${mixLabel})`,
    };
  }
  const path = resolve(ctx.cwd, plan.workload.path);
  return { source: await loadJsonlWorkload(path, { mix: plan.mix, seed: plan.seed, stream: plan.stream }), label: plan.workload.path };
}

/** Connections to open up front: about what the first tens of milliseconds will need. */
function warmConnections(plan: LoadPlan): number {
  const wanted = plan.arrival.kind === 'closed' ? plan.arrival.concurrency : Math.ceil(plan.arrival.rate / 50);
  return Math.min(plan.connections, 64, Math.max(1, wanted));
}

export async function runLoadtest(ctx: Context, plan: LoadPlan): Promise<LoadtestResult> {
  const endpoint: LocalEndpoint =
    plan.target.kind === 'local' ? await resolveLocalEndpoint(ctx) : { baseUrl: plan.target.url, key: plan.target.key };
  ctx.secrets.register(endpoint.key);
  // The workload file is checked before the network is touched: a typo costs nothing.
  const workload = await workloadFor(ctx, plan);

  let t0 = performance.now();
  const now = () => performance.now() - t0;
  const sender = createSender(endpoint, { timeoutMs: plan.timeoutMs, maxSockets: plan.connections, now, ca: endpoint.caCertPem });
  try {
    await preflight(sender, endpoint.baseUrl, workload.source.models());
    let evictor: Evictor | undefined;
    let rotator: SecretRotator | undefined;
    if (plan.chaos.evictEverySec) evictor = await spotEvictor(ctx, { rng: createRng(plan.seed + 1) });
    if (plan.chaos.rotateSecretAtSec !== undefined) rotator = await secretRotator(ctx);

    // Open connections before the clock starts (GET /models, never a completion): a cold start of
    // hundreds of TCP connects in the first second would put the generator behind its schedule.
    await Promise.all(Array.from({ length: warmConnections(plan) }, () => sender.getJson('models')));
    // Ctrl-C: end the requests in flight now rather than waiting out their timeouts.
    ctx.signal.addEventListener('abort', () => sender.close(), { once: true });
    const durationMs = plan.durationSec * 1000;
    const recorder = new Recorder();
    const events: ChaosEvent[] = [];
    const { startLiveView } = await import('./live-view.js');
    // The Ink panel (a terminal only) loads before the clock starts, so its import is not lag.
    const progress = { sent: 0, inFlight: 0 };
    const live = await startLiveView(ctx, snapshotter(recorder, progress, plan.durationSec, now), plan.durationSec);
    t0 = performance.now();
    const fromMs = ctx.clock.now();
    const load = startLoad({
      arrival: plan.arrival,
      durationMs,
      workload: workload.source,
      sender,
      recorder,
      rng: createRng(plan.seed),
      now,
      signal: ctx.signal,
      progress,
    });
    const chaos = startChaos({ plan: plan.chaos, durationMs, now, evictor, rotator, onEvent: (e) => events.push(e) });
    try {
      await load.done;
      await chaos.stop();
    } finally {
      live.stop();
    }
    const toMs = ctx.clock.now();

    const report = buildReport({
      target: endpoint.baseUrl,
      arrival: plan.arrival,
      durationSec: plan.durationSec,
      workload: workload.label,
      stream: plan.stream,
      seed: plan.seed,
      recorder,
      events: events.sort((a, b) => a.atSec - b.atSec),
      objectives: plan.objectives,
    });
    let reportFile: string | null = null;
    if (plan.out) {
      reportFile = resolve(ctx.cwd, plan.out.path);
      const { renderReportHtml } = await import('./render-html.js');
      await writeFile(reportFile, plan.out.format === 'html' ? renderReportHtml(report) : `${JSON.stringify(report, null, 2)}\n`);
    }
    const { recordThroughput } = await import('./record-throughput.js');
    const throughput = await recordThroughput(ctx, {
      local: plan.target.kind === 'local',
      baseUrl: endpoint.baseUrl,
      recorder,
      events,
      fromMs,
      toMs,
    }).catch(
      (e): ThroughputRecording => ({
        file: null,
        records: [],
        skipped: [`not recorded: ${String((e as Error)?.message ?? e).split('\n')[0]}`],
      }),
    );
    return { ...report, reportFile, throughput };
  } finally {
    sender.close();
  }
}
