// `gpuarb up`: plan, confirm (TTY) or --yes, apply in dependency order with independent
// branches in parallel, then print what an operator needs: API URL, how to add a customer key,
// resource group and portal links. Ctrl-C stops scheduling and exits 130; rerun converges.
import { z } from 'zod';
import { required } from '../../lib/required.js';
import { defineCommand, flags, opt } from '../core/command.js';
import { CancelledError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import type { StepOutcome } from '../provision/apply.js';
import type { ApimService } from '../provision/stack.js';

export interface UpResult {
  stack: string;
  applied: boolean;
  ok: boolean;
  summary: { create: number; update: number; delete: number; deploy: number; unchanged: number };
  elapsedMs: number;
  failed: StepOutcome[];
  skipped: StepOutcome[];
  /** What steps did beyond the plan, said to the operator (e.g. a soft-deleted service restored). */
  notes?: string[];
  requests: { reads: number; writes: number };
  /** The OpenAI base URL (ending in /v1) a client takes as its baseURL. */
  apiUrl?: string;
  outputs: { apiUrl?: string; resourceGroup: string; portal?: string; createCustomerKey: string };
  /** --local: ready replicas, the demo customer's key file and examples that work as printed. */
  local?: import('../local/access.js').LocalAccess;
}

export const upCommand = defineCommand({
  name: 'up',
  summary: 'Create or update every resource of the stack, and deploy its code',
  examples: ['gpuarb up', 'gpuarb up --yes --json --progress json   # CI', 'gpuarb up --local --yes', 'gpuarb up --parallel 4'],
  options: {
    parallel: opt.parsed('--parallel <n>', 'how many resources to write at once', z.coerce.number().int().min(1).max(64).default(8), '8'),
    progress: opt.parsed(
      '--progress <mode>',
      'progress on stderr: auto | plain | json | none',
      z.enum(['auto', 'plain', 'json', 'none']).default('auto'),
      'auto',
    ),
    local: flags.local,
    skipCode: flags.skipCode,
  },
  async run(ctx, opts): Promise<UpResult> {
    const { loadProvisionStack, stackOutputs } = await import('../provision/stack.js');
    const { computePlan } = await import('../provision/plan.js');
    const { applyPlan } = await import('../provision/apply.js');
    const { renderPlanText, summarize } = await import('../provision/render-plan.js');
    const { blobDeployer } = await import('../provision/artifacts.js');
    const { chooseProgressMode, createProgressSink } = await import('../provision/progress.js');
    const s = await loadProvisionStack(ctx, { build: !opts.skipCode });
    const plan = await computePlan(s.graph, s.arm, { signal: ctx.signal });
    const summary = summarize(plan);
    const base = { stack: s.config.stack, summary, failed: [], skipped: [] };
    const apim = required(
      s.graph.resources.find((r) => r.type === 'Microsoft.ApiManagement/service'),
      'the API Management service of the desired graph',
    );
    // One GET after apply: the gateway URL is assigned by Azure.
    const outputs = async () => {
      const service = (await s.arm.get(apim.id, apim.apiVersion, ctx.signal)) as ApimService | undefined;
      return stackOutputs(s, service);
    };
    ctx.io.info(renderPlanText(plan).trimEnd());
    // --local ends with a platform a client can call: ready pools, a key, working examples.
    const localAccess = async (ok: boolean, apiUrl: string | undefined) =>
      // Only the daemon (with a state directory) runs the platform; an API-only local cloud has no processes to wait for.
      ok && apiUrl && s.target.stateDir ? { local: await (await import('../local/access.js')).prepareLocalAccess(ctx, s, apiUrl) } : {};
    if (plan.changes.length === 0) {
      const out = await outputs();
      return {
        ...base,
        applied: false,
        ok: true,
        elapsedMs: 0,
        requests: { reads: s.counter.reads, writes: s.counter.writes },
        apiUrl: out.apiUrl,
        outputs: out,
        ...(await localAccess(true, out.apiUrl)),
      };
    }
    // Refuse before writing anything when the new scale sets cannot fit the vCPU quota.
    const { quotaShortfalls, quotaError } = await import('../provision/quota-preflight.js');
    const shortfalls = await quotaShortfalls(s.graph, plan, s.arm, ctx.signal);
    if (shortfalls.length) throw quotaError(shortfalls);
    // The local cloud costs nothing and converges again in seconds: it applies without asking,
    // so the quick start is one command. Against Azure, a change is always confirmed (or --yes).
    const yes =
      !s.target.confirmChanges ||
      (await ctx.prompt.confirm(`Apply these ${plan.changes.length} changes to stack "${s.config.stack}"?`, { flag: '--yes' }));
    if (!yes) throw new CancelledError('Nothing was changed.');
    const mode =
      opts.progress === 'auto' ? chooseProgressMode(ctx, { json: ctx.globals.json }) : opts.progress === 'plain' ? 'plain' : opts.progress;
    const sink = await createProgressSink(ctx, mode);
    const result = await applyPlan(s.graph, plan, s.arm, {
      parallel: opts.parallel,
      signal: ctx.signal,
      onEvent: (e) => sink.event(e),
      deployer: blobDeployer(s.arm, s.target, s.artifacts.files),
    }).finally(() => sink.close());
    if (result.cancelled) throw new CancelledError('Stopped: resources already written stay; run `gpuarb up` again to converge.');
    const out = await outputs();
    return {
      ...base,
      applied: true,
      ok: result.ok,
      elapsedMs: result.elapsedMs,
      failed: result.steps.filter((x) => x.state === 'failed'),
      skipped: result.steps.filter((x) => x.state === 'skipped'),
      notes: result.steps.flatMap((x) => (x.note ? [`${x.label}: ${x.note}`] : [])),
      requests: { reads: s.counter.reads, writes: s.counter.writes },
      apiUrl: out.apiUrl,
      outputs: out,
      ...(await localAccess(result.ok, out.apiUrl)),
    };
  },
  render(ctx, r) {
    const s = r.summary;
    if (!r.applied) ctx.io.out(`Stack ${r.stack} is up to date.`);
    else if (r.ok)
      ctx.io.out(
        `Applied: ${s.create} created, ${s.update} updated, ${s.deploy} deployed, ${s.delete} deleted in ${(r.elapsedMs / 1000).toFixed(1)} s.`,
      );
    else {
      ctx.io.out(
        `Incomplete: ${r.failed.length} failed, ${r.skipped.length} skipped (they depend on a failure). Fix the cause and rerun \`gpuarb up\`: it converges.`,
      );
      for (const f of r.failed)
        ctx.io.out(`  ✗ ${f.label}: ${f.error?.code}: ${f.error?.message}${f.error?.hint ? `\n      hint: ${f.error.hint}` : ''}`);
    }
    for (const n of r.notes ?? []) ctx.io.out(`Note: ${n}`);
    const o = r.outputs;
    ctx.io.out(`API URL:         ${o.apiUrl ?? '(not yet available)'}`);
    if (!r.local) ctx.io.out(`Customer key:    ${o.createCustomerKey}`);
    ctx.io.out(`Resource group:  ${o.resourceGroup}`);
    if (o.portal) ctx.io.out(`Portal:          ${o.portal}`);
    if (r.local) {
      const l = r.local;
      ctx.io.out(
        `Ready replicas:  ${Object.entries(l.readyReplicas)
          .map(([p, n]) => `${p} ${n}`)
          .join(', ')}`,
      );
      ctx.io.out(
        l.key
          ? `Customer key:    ${l.key}  (customer ${l.customer}; shown once, kept in ${l.keyFile})`
          : `Customer key:    in ${l.keyFile} (customer ${l.customer})`,
      );
      ctx.io.out(`\nTry it:\n  ${l.examples.curl}\n\n  ${l.examples.openai}`);
      ctx.io.out(`\nStop everything with \`gpuarb down --local\`.`);
    }
  },
  exitCode: (r) => (r.ok ? ExitCode.ok : ExitCode.error),
});
