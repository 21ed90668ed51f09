// Plain-text rendering of `gpuarb cost` and `cost --recommend`: per pool, each input beside its
// source, then the result. (`--json` prints the reports themselves.)
import { table } from '../ops/status-render.js';
import type { CostReport, RecommendReport } from './collect.js';
import type { PoolCostReport } from './evaluate.js';
import type { Sourced } from './sourced.js';

const money = (n: number | null | undefined, cur: string, digits = 4) =>
  n === null || n === undefined ? 'unknown' : `${n < 0 ? '-' : ''}${cur === 'USD' ? '$' : `${cur} `}${Math.abs(n).toFixed(digits)}`;
const pct = (n: number | null | undefined, digits = 1) => (n === null || n === undefined ? 'unknown' : `${n.toFixed(digits)}%`);
const rate = (n: number | null) => (n === null ? 'unknown' : String(Math.round(n * 100) / 100));
const tokensPerSecond = (t: { outputTokensPerSecond: number; inputTokensPerSecond: number | null }) =>
  `${rate(t.outputTokensPerSecond)} out, ${rate(t.inputTokensPerSecond)} in tok/s`;
const from = (s: Sourced<unknown> | null | undefined) => (s ? `${s.source}: ${s.detail}${s.at ? ` (${s.at})` : ''}` : 'not available');

export function poolLines(r: PoolCostReport): string[] {
  const i = r.inputs;
  const c = r.currency;
  const m = i.priorityMix.value;
  const t = i.throughput.value;
  const f = r.figures;
  const rows: string[][] = [
    ['INPUT', 'VALUE', 'SOURCE'],
    ['on-demand price', `${money(i.onDemandPerHour.value, c)}/h`, from(i.onDemandPerHour)],
    ['spot price', `${money(i.spotPerHour.value, c)}/h`, from(i.spotPerHour)],
    [
      'spot price history',
      i.spotPriceHistoryUsd ? `$${i.spotPriceHistoryUsd.value.toFixed(4)}/h latest` : 'unknown',
      from(i.spotPriceHistoryUsd),
    ],
    [
      'priority mix',
      `${m.regular} regular + ${m.spot} spot (base ${m.regularBase}, ${m.regularPercentAboveBase}% above)`,
      from(i.priorityMix),
    ],
    ['eviction band', i.evictionBand ? `${i.evictionBand.value} %/h` : 'unknown', from(i.evictionBand)],
    ['eviction rate used', i.evictionRatePerHour ? `${pct(i.evictionRatePerHour.value * 100)}/h` : 'unknown', from(i.evictionRatePerHour)],
    ['spare for evictions', `${i.spare.value.spare} above min ${i.spare.value.min}`, from(i.spare)],
    ['repair time', `${Math.round(i.repairSeconds.value / 60)} min`, from(i.repairSeconds)],
    ['throughput/replica', t ? tokensPerSecond(t) : 'unknown', from(i.throughput)],
    // Every measurement is shown; a simulated one says so and is never the figure above.
    ...i.measuredThroughput.map((m) => [
      `measured (${m.kind})`,
      `${tokensPerSecond(m)}${m.simulated ? ' SIMULATED, not used' : ''}`,
      `${m.simulated ? 'simulated' : 'measured'}: ${m.engine} on ${m.sku}, ${m.detail} (${m.at})`,
    ]),
    ['utilisation', pct(i.utilisation.value * 100, 0), from(i.utilisation)],
    [
      'sell price',
      i.sellPrice.value
        ? `${money(i.sellPrice.value.inputPerMillion, c, 2)} in / ${money(i.sellPrice.value.outputPerMillion, c, 2)} out per 1M`
        : 'unknown',
      from(i.sellPrice),
    ],
    ...i.marketPrices.map((p) => [
      `market: ${p.name}`,
      `$${p.inputPerMillion.toFixed(2)} in / $${p.outputPerMillion.toFixed(2)} out per 1M`,
      `operator-supplied: ${p.source}${p.asOf ? ` (${p.asOf})` : ''}`,
    ]),
  ];
  return [
    `pool ${r.pool}: ${r.model} (${r.engine}) on ${r.sku} in ${r.region}`,
    ...table(rows).map((l) => `  ${l}`),
    `  => cost ${money(f.costPerHour, c)}/h; ${money(f.costPerMillionOutput, c)} per 1M output tokens, ${money(f.costPerMillionInput, c)} per 1M input tokens`,
    `  => revenue ${money(f.revenuePerHour, c)}/h at the sell price; margin ${money(f.marginPerHour, c)}/h (${pct(f.marginPercent)})`,
    `  => P(ready ≥ ${i.spare.value.min}) = ${r.availability === null ? 'unknown' : pct(r.availability * 100, 4)}`,
  ];
}

export function renderCost(r: CostReport): string[] {
  return [
    `cost at ${r.at} (${r.currency}, ${r.target === 'local' ? 'local cloud: SAMPLE prices and eviction data' : 'Azure'})`,
    ...r.pools.flatMap((p) => ['', ...poolLines(p)]),
  ];
}

export function renderRecommend(r: RecommendReport): string[] {
  const out = [`recommendations at ${r.at} (${r.currency}, ${r.target === 'local' ? 'local cloud: SAMPLE data' : 'Azure'})`];
  for (const rec of r.recommendations) {
    const c = r.currency;
    out.push('', `pool ${rec.pool} (${rec.model}): target P(ready ≥ min) ≥ ${rec.availabilityTarget}%`);
    out.push(
      `  now: ${rec.current.sku} in ${rec.current.region}, ${money(rec.current.figures.costPerMillionOutput, c)} per 1M output tokens`,
    );
    const rows = [['SKU', 'REGION', 'REGULAR', 'SPOT', '$/1M OUT', 'P(READY)', 'MEETS']];
    for (const k of rec.ranked.slice(0, 10)) {
      const m = k.report.inputs.priorityMix.value;
      rows.push([
        k.sku,
        k.region,
        String(m.regular),
        String(m.spot),
        money(k.report.figures.costPerMillionOutput, c),
        k.report.availability === null ? 'unknown' : pct(k.report.availability * 100, 4),
        k.meetsTarget ? 'yes' : 'no',
      ]);
    }
    if (rec.ranked.length) out.push(...table(rows).map((l) => `  ${l}`));
    else out.push('  no candidate has both prices and a throughput figure');
    for (const x of rec.refused) out.push(`  refused ${x.sku}: ${x.reason}`);
    if (rec.winner) out.push('  apply with:', ...rec.configChange.map((l) => `    ${l}`));
    else out.push('  no candidate meets the target');
  }
  return out;
}
