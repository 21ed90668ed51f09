// The self-contained HTML report (--out report.html): inline CSS and SVG, no script and no
// external URL, so it opens offline and can be kept as a CI artifact.
import type { Figures, LoadReport } from './report.js';
import { describeArrival } from './render-text.js';
import { ms, pct } from './format.js';
import { describeResult } from './slo.js';
import { escapeHtml as h, lineChart } from './svg-charts.js';

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1b1f24;max-width:960px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}.sub{color:#57606a}
table{border-collapse:collapse;margin:8px 0}td,th{padding:4px 10px;border-bottom:1px solid #d0d7de;text-align:right}
td:first-child,th:first-child{text-align:left}.ok{color:#1a7f37}.bad{color:#cf222e;font-weight:600}
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{border:1px solid #d0d7de;border-radius:6px;padding:8px 12px;min-width:110px}
.card b{display:block;font-size:18px}.chart .title{font-weight:600;font-size:13px}.chart .tick{font-size:11px;fill:#57606a}
.chart .axis{font-size:12px;fill:#1b1f24}.chart .grid{stroke:#eaeef2}.chart .marker{stroke:#cf222e;stroke-dasharray:4 3}
.chart .marker-label{font-size:11px;fill:#cf222e}`;

function figuresRow(name: string, f: Figures): string {
  const cells = [
    f.requests,
    `${f.failed} (${pct(f.errorRate, 2)})`,
    f.rpm.toFixed(1),
    f.tokensPerSec.toFixed(1),
    ms(f.latencyMs?.p50),
    ms(f.latencyMs?.p90),
    ms(f.latencyMs?.p95),
    ms(f.latencyMs?.p99),
    ms(f.latencyMs?.max),
    ms(f.ttftMs?.p95),
    pct(f.cache.hitRate),
  ];
  return `<tr><td>${h(name)}</td>${cells.map((c) => `<td>${h(String(c))}</td>`).join('')}</tr>`;
}

export function renderReportHtml(r: LoadReport): string {
  const o = r.overall;
  const markers = r.events.map((e) => ({ x: e.atSec, label: e.kind }));
  const overTime = lineChart({
    title: 'Latency over time (by scheduled send second)',
    xLabel: 'seconds into the run',
    yLabel: 'latency (ms)',
    xMax: r.durationSec,
    markers,
    series: (['p50', 'p95', 'p99'] as const).map((p, i) => ({
      name: p,
      color: ['#0969da', '#bf8700', '#cf222e'][i],
      points: r.timeline.flatMap((s) => (s.latencyMs ? [[s.second + 0.5, s.latencyMs[p]] as [number, number]] : [])),
    })),
  });
  const errorsOverTime = lineChart({
    title: 'Requests and failures per second',
    xLabel: 'seconds into the run',
    yLabel: 'requests',
    xMax: r.durationSec,
    markers,
    height: 220,
    series: [
      { name: 'sent', color: '#0969da', points: r.timeline.map((s) => [s.second + 0.5, s.requests]) },
      { name: 'failed', color: '#cf222e', points: r.timeline.map((s) => [s.second + 0.5, s.failed]) },
    ],
  });
  // Percentiles on a log scale of 1/(1-p): the tail gets the room it deserves.
  const nines = (p: number) => Math.log10(1 / Math.max(1e-5, 1 - p / 100));
  const distribution = lineChart({
    title: 'Latency by percentile (whole request)',
    xLabel: 'percentile',
    yLabel: 'latency (ms)',
    xTicks: [0, 90, 99, 99.9, 99.99].map((p) => ({ x: nines(p), label: `${p}%` })),
    series: [{ name: 'latency', color: '#8250df', points: o.distribution.map((d) => [nines(d.percentile), d.latencyMs]) }],
  });
  const slo = r.slo
    ? `<h2>SLO: <span class="${r.slo.passed ? 'ok' : 'bad'}">${r.slo.passed ? 'met' : 'missed'}</span></h2>` +
      `<ul>${r.slo.objectives.map((x) => `<li class="${x.met ? 'ok' : 'bad'}">${x.met ? '✓' : '✗'} ${h(describeResult(x))}</li>`).join('')}</ul>`
    : '';
  const eventRow = (e: (typeof r.events)[number]) =>
    `<tr><td>${e.atSec.toFixed(1)}s</td><td>${h(e.kind)}</td><td class="${e.ok ? 'ok' : 'bad'}">${h(e.detail)}</td>` +
    `<td>${e.before.failed}/${e.before.requests} · ${ms(e.before.latencyMs?.p95)}</td>` +
    `<td>${e.after.failed}/${e.after.requests} · ${ms(e.after.latencyMs?.p95)}</td></tr>`;
  const events = r.events.length
    ? '<h2>Chaos events</h2><table><tr><th>at</th><th>event</th><th>result</th><th>before: failed / p95</th><th>after: failed / p95</th></tr>' +
      `${r.events.map(eventRow).join('')}</table>`
    : '';
  const errorRow = (e: (typeof o.errors.byKey)[number]) =>
    `<tr><td>${h(e.key)}</td><td>${h(e.class)}</td><td>${e.count}</td><td>${h(e.example)}</td></tr>`;
  const errs = o.errors.byKey.length
    ? `<table><tr><th>error</th><th>class</th><th>count</th><th>example</th></tr>${o.errors.byKey.map(errorRow).join('')}</table>`
    : '<p class="ok">No errors.</p>';
  const card = (label: string, value: string) => `<div class="card">${h(label)}<b>${h(value)}</b></div>`;
  const head = `<head><meta charset="utf-8"><title>gpuarb loadtest report</title><style>${CSS}</style></head>`;
  const subtitle = `${h(r.target)} · ${h(describeArrival(r))} · workload ${h(r.workload)}${r.stream ? ' · streaming' : ''} · seed ${r.seed}`;
  const cards = [
    card('p95', ms(o.latencyMs?.p95)),
    card('p99', ms(o.latencyMs?.p99)),
    card('requests/min', o.rpm.toFixed(1)),
    card('errors', pct(o.errorRate, 2)),
    card('cache hits', pct(o.cache.hitRate)),
    card('availability', pct(o.availability, 2)),
    card('tokens/s', o.tokensPerSec.toFixed(1)),
  ].join('');
  const figuresHead =
    '<tr><th>model</th><th>requests</th><th>errors</th><th>rpm</th><th>tok/s</th>' +
    '<th>p50</th><th>p90</th><th>p95</th><th>p99</th><th>max</th><th>TTFT p95</th><th>cache hit</th></tr>';
  const method =
    `Latency is measured from each request's scheduled send time` +
    `${r.arrival.kind === 'open' ? ' (open loop: no coordinated omission)' : ' (closed loop)'}. ` +
    `Generator send lag p99 ${ms(r.generator.sendLagP99Ms)}` +
    `${r.generator.saturated ? ' — the generator fell behind; figures include its delay' : ''}.`;
  return `<!doctype html><html lang="en">${head}<body>
<h1>gpuarb loadtest</h1><div class="sub">${subtitle}</div>
<div class="cards">${cards}</div>
${slo}
<h2>Per model</h2><table>${figuresHead}
${Object.entries(r.perModel)
  .map(([m, f]) => figuresRow(m, f))
  .join('')}${figuresRow('all', o)}</table>
<h2>Latency</h2>${overTime}${distribution}
<h2>Errors</h2>${errorsOverTime}${errs}
${events}
<p class="sub">${method}</p>
</body></html>
`;
}
