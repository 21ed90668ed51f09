// Terraform-style rendering of a plan (stable plain text: the same on a terminal and a pipe)
// and its JSON form for `--json`.
import type { Plan, PlannedChange } from './plan.js';
import { UNKNOWN } from './refs.js';

const SYMBOL: Record<PlannedChange['action'], string> = { create: '+', update: '~', delete: '-', deploy: '»' };

export interface PlanSummary {
  create: number;
  update: number;
  delete: number;
  deploy: number;
  unchanged: number;
}

export function summarize(plan: Plan): PlanSummary {
  const count = (a: PlannedChange['action']) => plan.changes.filter((c) => c.action === a).length;
  return { create: count('create'), update: count('update'), delete: count('delete'), deploy: count('deploy'), unchanged: plan.unchanged };
}

function show(v: unknown): string {
  if (v === UNKNOWN) return '(known after apply)';
  if (v === undefined) return '(unset)';
  const s = JSON.stringify(v, (_k, x) => (x === UNKNOWN ? '(known after apply)' : x));
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

export function renderPlanText(plan: Plan): string {
  const lines: string[] = [];
  if (plan.changes.length === 0) {
    lines.push(`No changes. Stack "${plan.stack}" matches the configuration (${plan.unchanged} resources unchanged).`);
    return `${lines.join('\n')}\n`;
  }
  lines.push(`Stack "${plan.stack}" (${plan.resourceGroupId.split('/').pop()}):`, '');
  const width = Math.max(...plan.changes.map((c) => c.label.length));
  for (const c of plan.changes) {
    lines.push(`  ${SYMBOL[c.action]} ${c.action.padEnd(6)} ${c.label.padEnd(width)}  ${c.type}`);
    for (const f of c.fields ?? []) {
      lines.push(
        `        ${f.path}: ${show(f.from)} → ${show(f.to)}${f.createOnly ? '  (cannot change in place: delete and recreate)' : ''}`,
      );
    }
  }
  const s = summarize(plan);
  lines.push(
    '',
    `Plan: ${s.create} to create, ${s.update} to update, ${s.delete} to delete, ${s.deploy} to deploy; ${s.unchanged} unchanged.`,
  );
  return `${lines.join('\n')}\n`;
}

/** JSON form (never contains secret values: the graph has none). */
export function planToJson(plan: Plan): Record<string, unknown> {
  return {
    stack: plan.stack,
    resourceGroupId: plan.resourceGroupId,
    summary: summarize(plan),
    changes: plan.changes.map((c) => ({
      ...c,
      fields: c.fields?.map((f) => ({
        ...f,
        from: f.from === UNKNOWN ? '(known after apply)' : f.from,
        to: f.to === UNKNOWN ? '(known after apply)' : f.to,
      })),
    })),
  };
}
