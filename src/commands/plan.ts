// `gpuarb plan`: what `up` would change, Terraform-style; exit 2 with --detailed-exitcode when
// changes are pending. Reads only (GETs and one tag-filtered list).
import { defineCommand, flags, opt } from '../core/command.js';
import { ExitCode } from '../core/exit-codes.js';

export interface PlanCommandResult {
  stack: string;
  resourceGroupId: string;
  summary: { create: number; update: number; delete: number; deploy: number; unchanged: number };
  changes: unknown[];
  text: string;
  requests: { reads: number; writes: number };
}

export const planCommand = defineCommand({
  name: 'plan',
  summary: 'Show what `gpuarb up` would create, update, deploy and delete',
  description: 'Reads the current state from ARM (no state file: resources carry the stack tags) and diffs only the fields gpuarb owns.',
  examples: ['gpuarb plan', 'gpuarb plan --detailed-exitcode   # exit 2 when changes are pending (CI)', 'gpuarb plan --local --json'],
  options: {
    detailedExitcode: opt.flag('--detailed-exitcode', 'exit 2 when there are changes to apply (0 when none)'),
    local: flags.local,
    skipCode: flags.skipCode,
  },
  async run(ctx, opts): Promise<PlanCommandResult> {
    const { loadProvisionStack } = await import('../provision/stack.js');
    const { computePlan } = await import('../provision/plan.js');
    const { planToJson, renderPlanText } = await import('../provision/render-plan.js');
    const s = await loadProvisionStack(ctx, { build: !opts.skipCode });
    const plan = await computePlan(s.graph, s.arm, { signal: ctx.signal });
    const json = planToJson(plan) as Omit<PlanCommandResult, 'text' | 'requests'>;
    return { ...json, text: renderPlanText(plan), requests: { reads: s.counter.reads, writes: s.counter.writes } };
  },
  render(ctx, r) {
    ctx.io.out(r.text.trimEnd());
  },
  exitCode(r, opts) {
    const pending = r.summary.create + r.summary.update + r.summary.delete + r.summary.deploy > 0;
    return opts.detailedExitcode && pending ? ExitCode.changesPending : ExitCode.ok;
  },
});
