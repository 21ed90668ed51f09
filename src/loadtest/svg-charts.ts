// Inline SVG line charts for the HTML report: no script, no external resource, so the report
// opens anywhere, offline, and can be attached to a CI run as one file.

export interface Series {
  name: string;
  color: string;
  points: Array<[number, number]>;
}

export interface ChartSpec {
  title: string;
  series: Series[];
  xLabel: string;
  yLabel: string;
  /** Vertical markers (chaos events). */
  markers?: Array<{ x: number; label: string }>;
  /** Tick labels for x; default: numbers. */
  xTicks?: Array<{ x: number; label: string }>;
  /** Right end of the x axis (e.g. the run's duration); default: the data's. */
  xMax?: number;
  width?: number;
  height?: number;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

const PAD = { left: 64, right: 16, top: 28, bottom: 44 };

export function lineChart(spec: ChartSpec): string {
  const width = spec.width ?? 880;
  const height = spec.height ?? 300;
  const all = spec.series.flatMap((s) => s.points);
  const xs = [...all.map((p) => p[0]), ...(spec.markers ?? []).map((m) => m.x)];
  const xMin = Math.min(0, ...xs);
  const xMax = spec.xMax ?? Math.max(1, ...xs);
  const yMax = niceCeil(Math.max(1, ...all.map((p) => p[1])));
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const sx = (x: number) => PAD.left + ((x - xMin) / (xMax - xMin || 1)) * plotW;
  const sy = (y: number) => PAD.top + plotH - (y / yMax) * plotH;
  const f = (n: number) => n.toFixed(1);
  const parts: string[] = [];
  parts.push(
    `<svg class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(spec.title)}">`,
  );
  parts.push(`<text x="${PAD.left}" y="18" class="title">${escapeHtml(spec.title)}</text>`);
  for (let i = 0; i <= 4; i++) {
    const y = (yMax * i) / 4;
    parts.push(`<line x1="${PAD.left}" x2="${width - PAD.right}" y1="${f(sy(y))}" y2="${f(sy(y))}" class="grid"/>`);
    parts.push(`<text x="${PAD.left - 6}" y="${f(sy(y) + 4)}" text-anchor="end" class="tick">${escapeHtml(formatTick(y))}</text>`);
  }
  const step = niceCeil((xMax - xMin) / 6);
  const ticks =
    spec.xTicks ??
    Array.from({ length: Math.floor((xMax - xMin) / step) + 1 }, (_, i) => ({ x: xMin + i * step, label: formatTick(xMin + i * step) }));
  for (const t of ticks)
    parts.push(`<text x="${f(sx(t.x))}" y="${height - PAD.bottom + 16}" text-anchor="middle" class="tick">${escapeHtml(t.label)}</text>`);
  parts.push(`<text x="${PAD.left + plotW / 2}" y="${height - 6}" text-anchor="middle" class="axis">${escapeHtml(spec.xLabel)}</text>`);
  parts.push(
    `<text x="14" y="${PAD.top + plotH / 2}" transform="rotate(-90 14 ${PAD.top + plotH / 2})" ` +
      `text-anchor="middle" class="axis">${escapeHtml(spec.yLabel)}</text>`,
  );
  for (const m of spec.markers ?? []) {
    parts.push(`<line x1="${f(sx(m.x))}" x2="${f(sx(m.x))}" y1="${PAD.top}" y2="${PAD.top + plotH}" class="marker"/>`);
    parts.push(`<text x="${f(sx(m.x) + 3)}" y="${PAD.top + 10}" class="marker-label">${escapeHtml(m.label)}</text>`);
  }
  spec.series.forEach((s, i) => {
    if (s.points.length) {
      const d = s.points.map((p, j) => `${j ? 'L' : 'M'}${f(sx(p[0]))},${f(sy(p[1]))}`).join('');
      parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.8"/>`);
    }
    parts.push(`<rect x="${width - PAD.right - 110}" y="${PAD.top + 4 + i * 16}" width="10" height="10" fill="${s.color}"/>`);
    parts.push(`<text x="${width - PAD.right - 96}" y="${PAD.top + 13 + i * 16}" class="tick">${escapeHtml(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function formatTick(v: number): string {
  return Math.abs(v) >= 1000 ? `${+(v / 1000).toFixed(1)}k` : `${+v.toFixed(v < 10 ? 1 : 0)}`;
}
