// `gpuarb usage`: requests and tokens per customer and model from the metering container, with
// revenue at the configured per-million-token prices.
import { defineCommand, flags, opt } from '../core/command.js';
import { UserError } from '../core/errors.js';
import { parseDurationSeconds } from '../config/duration.js';
import type { UsageReport } from '../ops/usage-report.js';
import type { UsageMarginReport } from '../ops/usage-margin.js';
import { table } from '../ops/status-render.js';

export const usageCommand = defineCommand({
  name: 'usage',
  summary: 'Requests, tokens and revenue per customer and model (whole UTC days)',
  examples: ['gpuarb usage', 'gpuarb usage --customer acme-corp --since 7d', 'gpuarb usage --since 30d --json | jq .totals'],
  options: {
    customer: opt.text('--customer <id>', 'only this customer'),
    since: opt.textOr('--since <duration>', 'window back from today, in whole UTC days', '30d'),
    margin: opt.flag('--margin', 'add the GPU cost attributed to each line and the margin (see gpuarb cost)'),
    local: flags.local,
  },
  async run(ctx, o): Promise<UsageReport | UsageMarginReport> {
    const sinceSeconds = parseDurationSeconds(o.since);
    if (sinceSeconds === undefined || sinceSeconds <= 0)
      throw new UserError(`--since "${o.since}" is not a duration.`, { code: 'UsageError', hint: 'Write e.g. 1d, 7d or 30d.' });
    if (o.margin) return (await import('../ops/usage-margin.js')).usageMarginReport(ctx, { customer: o.customer, sinceSeconds });
    return (await import('../ops/usage.js')).usageReport(ctx, { customer: o.customer, sinceSeconds });
  },
  render(ctx, r) {
    if ('windowHours' in r) return renderMargin(ctx, r);
    const usd = (n: number | null) => (n === null ? 'unpriced' : `$${n.toFixed(4)}`);
    ctx.io.out(`usage ${r.from} … ${r.to}`);
    if (!r.lines.length) return ctx.io.out('no usage');
    ctx.io.out(
      table([
        ['CUSTOMER', 'MODEL', 'REQUESTS', 'PROMPT TOKENS', 'COMPLETION TOKENS', 'CACHE HITS', 'ERRORS', 'REVENUE'],
        ...r.lines.map((l) => [
          l.customer,
          l.model,
          String(l.requests),
          String(l.promptTokens),
          String(l.completionTokens),
          String(l.cacheHits),
          String(l.errors),
          usd(l.revenue),
        ]),
        [
          'total',
          '',
          String(r.totals.requests),
          String(r.totals.promptTokens),
          String(r.totals.completionTokens),
          '',
          '',
          usd(r.totals.revenue),
        ],
      ]).join('\n'),
    );
    if (r.totals.unpricedModels.length)
      ctx.io.warn(`no pool serves ${r.totals.unpricedModels.join(', ')} any more: their revenue is not counted`);
  },
});

function renderMargin(ctx: Parameters<NonNullable<typeof usageCommand.render>>[0], r: UsageMarginReport): void {
  const cur = (n: number | null) =>
    n === null ? 'unknown' : `${n < 0 ? '-' : ''}${r.currency === 'USD' ? '$' : `${r.currency} `}${Math.abs(n).toFixed(4)}`;
  ctx.io.out(`usage and margin ${r.from} … ${r.to} (${r.windowHours.toFixed(1)} h)`);
  if (!r.lines.length) {
    ctx.io.out('no usage');
    return;
  }
  ctx.io.out(
    table([
      ['CUSTOMER', 'MODEL', 'REQUESTS', 'CACHE HITS', 'GPU OUTPUT TOKENS', 'REVENUE', 'COST', 'MARGIN', 'MARGIN %'],
      ...r.lines.map((l) => [
        l.customer,
        l.model,
        String(l.requests),
        String(l.cacheHits),
        String(Math.round(l.gpuCompletionTokens)),
        cur(l.revenue),
        cur(l.cost),
        cur(l.margin),
        l.marginPercent === null ? 'unknown' : `${l.marginPercent.toFixed(1)}%`,
      ]),
      ['total', '', '', '', '', cur(r.totals.revenue), cur(r.totals.cost), cur(r.totals.margin), ''],
    ]).join('\n'),
  );
  for (const n of r.notes) ctx.io.warn(n);
}
