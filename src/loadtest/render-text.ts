// The final report as a table on stdout (plain, stable text when piped), with errors by class,
// availability, stream figures, chaos events and the SLO verdict.
import type { Figures, LoadReport } from './report.js';
import { ms, pct } from './format.js';
import { describeResult } from './slo.js';

function row(cells: string[], widths: number[]): string {
  return cells
    .map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
    .join('  ')
    .trimEnd();
}

export function describeArrival(r: Pick<LoadReport, 'arrival' | 'durationSec'>): string {
  return r.arrival.kind === 'open'
    ? `open loop, Poisson ${r.arrival.rate} req/s for ${r.durationSec}s`
    : `closed loop, ${r.arrival.concurrency} concurrent for ${r.durationSec}s`;
}

export function renderReportText(r: LoadReport): string {
  const lines: string[] = [];
  lines.push(`gpuarb loadtest → ${r.target}`);
  lines.push(`${describeArrival(r)}; workload ${r.workload}${r.stream ? ', streaming' : ''}; seed ${r.seed}`);
  lines.push('');
  const head = ['model', 'requests', 'errors', 'rpm', 'tok/s', 'p50', 'p90', 'p95', 'p99', 'max', 'cache hit'];
  const cells = (name: string, f: Figures) => [
    name,
    String(f.requests),
    `${f.failed} (${pct(f.errorRate, 2)})`,
    f.rpm.toFixed(1),
    f.tokensPerSec.toFixed(1),
    ms(f.latencyMs?.p50),
    ms(f.latencyMs?.p90),
    ms(f.latencyMs?.p95),
    ms(f.latencyMs?.p99),
    ms(f.latencyMs?.max),
    pct(f.cache.hitRate),
  ];
  const body = [...Object.entries(r.perModel).map(([m, f]) => cells(m, f)), cells('all', r.overall)];
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  lines.push(row(head, widths));
  for (const b of body) lines.push(row(b, widths));
  lines.push('');
  const e = r.overall.errors;
  const keys = e.byKey.map((k) => `${k.key} ×${k.count}`).join(', ');
  lines.push(
    `errors: timeout ${e.byClass.timeout}, connection ${e.byClass.connection}, ` +
      `http 4xx ${e.byClass.http4xx}, http 5xx ${e.byClass.http5xx}, ` +
      `stream broken ${e.byClass.streamBroken}, bad response ${e.byClass.badResponse}${keys ? ` (${keys})` : ''}`,
  );
  if (e.byKey.some((k) => k.key === 'http_429'))
    lines.push("  (http_429: rate limited — through API Management, the key's tier allows fewer calls than the load sends)");
  const judged = r.timeline.filter((s) => s.requests > 0).length;
  lines.push(`availability: ${pct(r.overall.availability, 2)} of ${judged} second(s) with every request answered`);
  const c = r.overall.cache;
  lines.push(`cache: ${c.hit} hit, ${c.miss} miss, ${c.bypass} bypass${c.none ? `, ${c.none} without x-gpuarb-cache` : ''}`);
  if (r.overall.ttftMs) {
    lines.push(
      `streams: time to first token p50 ${ms(r.overall.ttftMs.p50)} p95 ${ms(r.overall.ttftMs.p95)} p99 ${ms(r.overall.ttftMs.p99)}; ` +
        `per output token p50 ${ms(r.overall.tpotMs?.p50)} p95 ${ms(r.overall.tpotMs?.p95)}`,
    );
  }
  if (r.generator.saturated)
    lines.push(
      `warning: the generator fell behind its schedule (send lag p99 ${ms(r.generator.sendLagP99Ms)}): figures include its own delay`,
    );
  if (r.events.length) {
    lines.push('events:');
    for (const ev of r.events) {
      const w = (x: LoadReport['events'][number]['before']) => `${x.failed}/${x.requests} failed, p95 ${ms(x.latencyMs?.p95)}`;
      lines.push(
        `  ${ev.atSec.toFixed(1)}s ${ev.kind} ${ev.ok ? 'ok' : 'FAILED'}: ${ev.detail} — ` +
          `${ev.before.toSec - ev.before.fromSec}s before: ${w(ev.before)}; ` +
          `${ev.after.toSec - ev.after.fromSec}s after: ${w(ev.after)}`,
      );
    }
  }
  if (r.slo) {
    lines.push(
      r.slo.passed
        ? `SLO met: ${r.slo.objectives.map(describeResult).join(', ')}`
        : `SLO MISSED: ${r.slo.objectives
            .filter((o) => !o.met)
            .map(describeResult)
            .join(', ')}`,
    );
  }
  return lines.join('\n');
}
