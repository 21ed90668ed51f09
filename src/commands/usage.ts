// `gpuarb usage`: requests and tokens per customer and model from the metering container, with
// revenue at the configured per-million-token prices.
import { defineCommand, flags, opt } from '../core/command.js';
import { UserError } from '../core/errors.js';
import { parseDurationSeconds } from '../config/duration.js';
import type { UsageReport } from '../ops/usage-report.js';
import { table } from '../ops/status-render.js';

export const usageCommand = defineCommand({
  name: 'usage',
  summary: 'Requests, tokens and revenue per customer and model (whole UTC days)',
  examples: ['gpuarb usage', 'gpuarb usage --customer acme-corp --since 7d', 'gpuarb usage --since 30d --json | jq .totals'],
  options: {
    customer: opt.text('--customer <id>', 'only this customer'),
    since: opt.textOr('--since <duration>', 'window back from today, in whole UTC days', '30d'),
    local: flags.local,
  },
  async run(ctx, o): Promise<UsageReport> {
    const sinceSeconds = parseDurationSeconds(o.since);
    if (sinceSeconds === undefined || sinceSeconds <= 0)
      throw new UserError(`--since "${o.since}" is not a duration.`, { code: 'UsageError', hint: 'Write e.g. 1d, 7d or 30d.' });
    return (await import('../ops/usage.js')).usageReport(ctx, { customer: o.customer, sinceSeconds });
  },
  render(ctx, r) {
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
