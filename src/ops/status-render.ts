// Plain-text rendering of a StatusReport: the same stable text on a terminal and a pipe (scripts
// parse it), one header per pool and one aligned row per instance. `--json` bypasses this.
import type { InstanceReport, PoolReport, StatusReport } from './status-model.js';

export function formatAge(seconds: number | null): string {
  if (seconds === null) return '-';
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

const pct = (r: number | null) => (r === null ? '-' : `${(r * 100).toFixed(1)}%`);
const usd = (n: number | null) => (n === null ? 'unknown' : `$${n.toFixed(2)}/h`);

/** Columns padded to the widest cell, so the table lines up without a library. */
export function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) =>
    r
      .map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd(),
  );
}

function instanceRow(i: InstanceReport): string[] {
  return [
    i.name,
    i.state,
    i.priority ?? '-',
    i.zone ?? '-',
    i.health ?? '-',
    i.load ? `${i.load.inFlight}/${i.load.queue}/${i.load.tokensPerSecond.toFixed(0)}` : '-',
    formatAge(i.ageSeconds),
    i.evictionInSeconds === null ? '' : `evicted in ${i.evictionInSeconds}s`,
  ];
}

function poolLines(p: PoolReport): string[] {
  const zones =
    Object.entries(p.zones)
      .sort()
      .map(([z, n]) => `${z}:${n}`)
      .join(' ') || '-';
  const lines = [
    `pool ${p.name} (${p.model} on ${p.sku}): ${p.ready} ready / ${p.actual} actual / ${p.desired ?? '-'} desired  ` +
      `[min ${p.min}, max ${p.max}, autoscale ${p.autoscale === null ? '-' : p.autoscale ? 'on' : 'off'}]`,
    `  spot ${p.spot}, regular ${p.regular}, zones ${zones}, cost ${usd(p.costPerHour)}`,
  ];
  if (p.instances.length) {
    lines.push(
      ...table([
        ['INSTANCE', 'STATE', 'PRIORITY', 'ZONE', 'HEALTH', 'LOAD(inflight/queue/tok/s)', 'AGE', 'NOTICE'],
        ...p.instances.map(instanceRow),
      ]).map((l) => `  ${l}`),
    );
  } else lines.push('  (no instances)');
  return lines;
}

export function renderStatus(r: StatusReport): string[] {
  const lines: string[] = [`${r.degraded ? 'DEGRADED' : 'OK'} at ${r.at}`];
  for (const p of r.problems) lines.push(`  problem: ${p}`);
  for (const w of r.warnings) lines.push(`  warning: ${w}`);
  lines.push('');
  for (const p of r.pools) lines.push(...poolLines(p), '');
  lines.push(`gateway: ${r.gateway.ready === null ? 'not probed' : r.gateway.ready ? 'ready' : 'NOT READY'} (${r.gateway.detail})`);
  if (r.traffic) {
    for (const t of r.traffic)
      lines.push(`traffic ${t.minutes}m: ${t.requestsPerMinute} req/min, errors ${pct(t.errorRate)}, cache hits ${pct(t.cacheHitRate)}`);
  } else lines.push('traffic: unknown (Log Analytics not reachable)');
  lines.push(`cost: ${usd(r.costPerHour)}`);
  for (const n of r.notes) lines.push(`note: ${n}`);
  return lines;
}
