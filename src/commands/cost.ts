// `gpuarb cost`: per pool, what a million tokens costs (spot and on-demand prices, priority mix,
// eviction band, throughput, utilisation), the margin at the configured sell prices, and with
// --recommend the cheapest SKU × region × priority mix that meets an availability target.
import { defineCommand, flags, opt } from '../core/command.js';
import { UserError } from '../core/errors.js';
import type { CostReport, RecommendReport } from '../cost/collect.js';
import { renderCost, renderRecommend } from '../cost/render.js';

type Result = CostReport | RecommendReport;

export const costCommand = defineCommand({
  name: 'cost',
  summary: 'Cost per 1M tokens on each pool, the margin at our prices, and the cheapest way to serve',
  examples: ['gpuarb cost', 'gpuarb cost --pool llama70b --json', 'gpuarb cost --recommend --model llama3-70b --availability 99.9'],
  options: {
    pool: opt.text('--pool <name>', 'only this pool'),
    recommend: opt.flag('--recommend', 'search SKUs, regions and priority mixes for a cheaper way to serve'),
    model: opt.text('--model <id>', 'with --recommend: only pools serving this model'),
    availability: opt.text('--availability <percent>', 'with --recommend: P(ready ≥ min) target (default cost.availabilityTarget)'),
    local: flags.local,
  },
  async run(ctx, o): Promise<Result> {
    const collect = await import('../cost/collect.js');
    if (!o.recommend) {
      if (o.model || o.availability)
        throw new UserError('--model and --availability apply to --recommend.', { code: 'UsageError', hint: 'Add --recommend.' });
      return collect.costReport(ctx, o);
    }
    const availability = o.availability === undefined ? undefined : Number(o.availability);
    if (availability !== undefined && !(availability > 0 && availability < 100))
      throw new UserError(`--availability "${o.availability}" is not a percentage between 0 and 100.`, {
        code: 'UsageError',
        hint: 'Write e.g. 99.9.',
      });
    return collect.recommendReport(ctx, { ...o, availability });
  },
  render(ctx, r) {
    const lines = 'recommendations' in r ? renderRecommend(r) : renderCost(r);
    ctx.io.out(lines.join('\n'));
    for (const n of r.notes) ctx.io.warn(n);
  },
});
