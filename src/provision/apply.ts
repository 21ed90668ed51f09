// Apply: the plan's changes in dependency order, independent branches in parallel within
// `parallel`, each step retried on transient failures; a failed step skips only its
// dependents. Progress is a stream of typed events (the renderers are in progress-*.ts).
// Aborting (Ctrl-C) stops scheduling and aborts in-flight requests; ARM keeps whatever it had
// accepted, and the next run converges because ARM is the state.
import type { ArmClient } from '../azure/arm-client.js';
import { GpuarbError } from '../core/errors.js';
import { idKey } from './graph.js';
import type { Action, Plan, PlannedChange } from './plan.js';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from './retry.js';
import { deleteResource, writeResource, type Deployer } from './steps.js';
import type { DesiredGraph, DesiredResource } from './types.js';

export type StepState = 'pending' | 'running' | 'done' | 'failed' | 'skipped';

export interface ProgressEvent {
  resourceId: string;
  label: string;
  action: Action;
  state: StepState;
  elapsedMs: number;
  attempt?: number;
  error?: { code: string; message: string; hint?: string };
  /** What the step did beyond the plan (e.g. restored a soft-deleted service). */
  note?: string;
}

export interface ApplyOptions {
  parallel?: number;
  signal?: AbortSignal;
  onEvent?: (e: ProgressEvent) => void;
  retry?: RetryPolicy;
  deployer?: Deployer;
  now?: () => number;
}

export interface StepOutcome {
  id: string;
  label: string;
  action: Action;
  state: StepState;
  elapsedMs: number;
  error?: { code: string; message: string; hint?: string };
  note?: string;
}

export interface ApplyResult {
  ok: boolean;
  cancelled: boolean;
  elapsedMs: number;
  steps: StepOutcome[];
}

interface Step {
  change: PlannedChange;
  resource?: DesiredResource;
  deps: Step[];
  outcome: StepOutcome;
}

export function errorInfo(e: unknown): { code: string; message: string; hint?: string } {
  if (e instanceof GpuarbError) return { code: e.code, message: e.message, hint: e.hint };
  const err = e as { code?: string; message?: string; name?: string };
  return { code: err?.code ?? err?.name ?? 'Error', message: err?.message ?? String(e) };
}

/** Builds the step graph: writes follow desired dependencies; deletes run last, dependents first. */
function buildSteps(graph: DesiredGraph, plan: Plan): Step[] {
  const byId = new Map(graph.resources.map((r) => [idKey(r.id), r]));
  const step = (change: PlannedChange): Step => ({
    change,
    resource: byId.get(idKey(change.id)),
    deps: [],
    outcome: { id: change.id, label: change.label, action: change.action, state: 'pending', elapsedMs: 0 },
  });
  const writes = plan.changes.filter((c) => c.action !== 'delete').map(step);
  const stepById = new Map(writes.map((s) => [idKey(s.change.id), s]));
  for (const s of writes) s.deps = (s.resource?.dependsOn ?? []).map((d) => stepById.get(idKey(d))).filter((x): x is Step => !!x);
  // Deletes: after every write (a replacement may still use what is deleted), ordered by type
  // rank (alerts and autoscale before scale sets before network), dependents first.
  const rank = new Map<string, number>();
  for (const [i, r] of graph.resources.entries()) rank.set(r.type.toLowerCase(), Math.max(rank.get(r.type.toLowerCase()) ?? 0, i));
  const deletes = plan.changes.filter((c) => c.action === 'delete').map(step);
  deletes.sort((a, b) => (rank.get(b.change.type.toLowerCase()) ?? Infinity) - (rank.get(a.change.type.toLowerCase()) ?? Infinity));
  deletes.forEach((d, i) => {
    const r = rank.get(d.change.type.toLowerCase());
    d.deps = [...writes, ...deletes.slice(0, i).filter((p) => (rank.get(p.change.type.toLowerCase()) ?? Infinity) > (r ?? Infinity))];
  });
  return [...writes, ...deletes];
}

export async function applyPlan(graph: DesiredGraph, plan: Plan, arm: ArmClient, opts: ApplyOptions = {}): Promise<ApplyResult> {
  const now = opts.now ?? (() => performance.now());
  const t0 = now();
  const parallel = Math.max(1, opts.parallel ?? 8);
  const steps = buildSteps(graph, plan);
  const current = new Map(plan.current);
  const emit = (s: Step, extra: Partial<ProgressEvent> = {}) =>
    opts.onEvent?.({
      resourceId: s.change.id,
      label: s.change.label,
      action: s.change.action,
      state: s.outcome.state,
      elapsedMs: s.outcome.elapsedMs,
      ...(s.outcome.error ? { error: s.outcome.error } : {}),
      ...(s.outcome.note ? { note: s.outcome.note } : {}),
      ...extra,
    });
  for (const s of steps) emit(s);

  let running = 0;
  const settled = () => steps.every((s) => s.outcome.state !== 'pending' && s.outcome.state !== 'running');
  return new Promise<ApplyResult>((resolve) => {
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      const cancelled = !!opts.signal?.aborted;
      resolve({
        ok: !cancelled && steps.every((s) => s.outcome.state === 'done'),
        cancelled,
        elapsedMs: Math.round(now() - t0),
        steps: steps.map((s) => s.outcome),
      });
    };
    const pump = () => {
      if (opts.signal?.aborted) {
        // Stop scheduling: what has not started is skipped; wait for in-flight steps to unwind.
        for (const s of steps) {
          if (s.outcome.state !== 'pending') continue;
          s.outcome.state = 'skipped';
          emit(s);
        }
        if (running === 0) finish();
        return;
      }
      for (const s of steps) {
        if (s.outcome.state !== 'pending') continue;
        if (s.deps.some((d) => d.outcome.state === 'failed' || d.outcome.state === 'skipped')) {
          s.outcome.state = 'skipped';
          s.outcome.error = {
            code: 'DependencyFailed',
            message: `skipped: ${s.deps
              .filter((d) => d.outcome.state !== 'done')
              .map((d) => d.change.label)
              .join(', ')} did not complete`,
          };
          emit(s);
          continue;
        }
        if (running >= parallel || !s.deps.every((d) => d.outcome.state === 'done')) continue;
        start(s);
      }
      if (running === 0 && settled()) finish();
    };
    const start = (s: Step) => {
      running++;
      s.outcome.state = 'running';
      const started = now();
      emit(s, { attempt: 1 });
      const deps = { arm, current, deployer: opts.deployer, signal: opts.signal };
      withRetry(
        async (attempt) => {
          if (attempt > 1) emit(s, { attempt, elapsedMs: Math.round(now() - started) });
          if (s.change.action === 'delete') return void (await deleteResource(s.change, deps));
          if (!s.resource) throw new Error(`no desired resource for ${s.change.id}`);
          return writeResource(s.resource, s.change, deps);
        },
        opts.retry ?? DEFAULT_RETRY,
        opts.signal,
      )
        .then(
          (note) => {
            s.outcome.state = 'done';
            if (note) s.outcome.note = note;
          },
          (e) => {
            s.outcome.state = opts.signal?.aborted ? 'skipped' : 'failed';
            s.outcome.error = opts.signal?.aborted ? { code: 'Cancelled', message: 'cancelled' } : errorInfo(e);
          },
        )
        .finally(() => {
          running--;
          s.outcome.elapsedMs = Math.round(now() - started);
          emit(s);
          pump();
        });
    };
    opts.signal?.addEventListener('abort', pump, { once: true });
    pump();
  });
}
