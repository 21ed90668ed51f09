// The SLO gate: a strict parser for "p95<5s,errors<1%,cache>40%,rpm>100" and its evaluation
// against the run's overall figures. Anything ambiguous is rejected with the reason, because a
// typo in a CI gate that silently passes is worse than no gate.
import { UserError } from '../core/errors.js';
import { formatMs } from './format.js';

export interface Percentiles {
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

/** The overall figures an SLO can name. Null where the run has no data for it. */
export interface SloFigures {
  latencyMs: Percentiles | null;
  ttftMs: Percentiles | null;
  errorRate: number;
  cacheHitRate: number | null;
  rpm: number;
  availability: number | null;
}

type Kind = 'latency' | 'ttft' | 'percent' | 'count';
interface MetricSpec {
  kind: Kind;
  /** Which way is good: 'below' objectives take < or <=, 'above' take > or >=. */
  good: 'below' | 'above';
  read(f: SloFigures): number | null;
}

const PCTS = ['p50', 'p90', 'p95', 'p99', 'max'] as const;
const METRICS: Record<string, MetricSpec> = {
  ...Object.fromEntries(PCTS.map((p) => [p, { kind: 'latency', good: 'below', read: (f: SloFigures) => f.latencyMs?.[p] ?? null }])),
  ...Object.fromEntries(PCTS.map((p) => [`ttft_${p}`, { kind: 'ttft', good: 'below', read: (f: SloFigures) => f.ttftMs?.[p] ?? null }])),
  errors: { kind: 'percent', good: 'below', read: (f) => f.errorRate },
  cache: { kind: 'percent', good: 'above', read: (f) => f.cacheHitRate },
  availability: { kind: 'percent', good: 'above', read: (f) => f.availability },
  rpm: { kind: 'count', good: 'above', read: (f) => f.rpm },
};

export interface Objective {
  /** As the user wrote it, trimmed. */
  text: string;
  metric: string;
  op: '<' | '<=' | '>' | '>=';
  /** ms for latency, a fraction for percentages, a plain number for rpm. */
  threshold: number;
}

export interface ObjectiveResult extends Objective {
  actual: number | null;
  met: boolean;
}

const TERM = /^([a-z_0-9]+)\s*(<=|>=|<|>)\s*(\d+(?:\.\d+)?)\s*(ms|s|m|%)?$/;

export function parseSlo(input: string): Objective[] {
  const problems: string[] = [];
  const out: Objective[] = [];
  const seen = new Set<string>();
  const terms = input.split(',').map((t) => t.trim());
  if (terms.every((t) => t === '')) problems.push('it is empty');
  for (const text of terms) {
    if (text === '') continue;
    const m = TERM.exec(text);
    if (!m) {
      problems.push(`"${text}" is not <metric><op><value>, e.g. p95<5s or errors<1%`);
      continue;
    }
    const [, metric, op, num, unit] = m;
    const spec = METRICS[metric];
    if (!spec) {
      problems.push(`"${text}": unknown metric "${metric}" (known: ${Object.keys(METRICS).join(', ')})`);
      continue;
    }
    const below = op.startsWith('<');
    if (below !== (spec.good === 'below')) {
      problems.push(`"${text}": ${metric} is an objective to stay ${spec.good}, write ${metric}${spec.good === 'below' ? '<' : '>'}…`);
      continue;
    }
    const threshold = convert(spec.kind, Number(num), unit);
    if (typeof threshold === 'string') {
      problems.push(`"${text}": ${threshold}`);
      continue;
    }
    if (seen.has(metric)) problems.push(`"${text}": ${metric} is given twice`);
    seen.add(metric);
    out.push({ text, metric, op: op as Objective['op'], threshold });
  }
  if (problems.length) {
    throw new UserError(`Invalid --slo: ${problems.join('; ')}.`, {
      code: 'InvalidSlo',
      hint: 'Write comma-separated objectives such as "p95<5s,errors<1%,cache>40%,rpm>100,availability>99.9%" (see docs/loadtest.md).',
    });
  }
  return out;
}

function convert(kind: Kind, n: number, unit: string | undefined): number | string {
  if (kind === 'latency' || kind === 'ttft') {
    if (unit === 'ms') return n;
    if (unit === 's') return n * 1000;
    if (unit === 'm') return n * 60_000;
    return 'latency needs a unit: ms, s or m (e.g. 5s)';
  }
  if (kind === 'percent') {
    if (unit !== '%') return 'write a percentage, e.g. 1%';
    if (n > 100) return 'a percentage is at most 100%';
    // toPrecision: 99.9/100 is 0.9990000000000001 in floating point, which would fail ">=99.9%" at exactly 99.9%.
    return Number((n / 100).toPrecision(12));
  }
  if (unit !== undefined) return 'rpm is a plain number of requests per minute';
  return n;
}

export function evaluateSlo(objectives: Objective[], figures: SloFigures): ObjectiveResult[] {
  return objectives.map((o) => {
    const actual = METRICS[o.metric].read(figures);
    // No data (no successful request, no stream for ttft) can never meet an objective.
    const met =
      actual !== null &&
      (o.op === '<'
        ? actual < o.threshold
        : o.op === '<='
          ? actual <= o.threshold
          : o.op === '>'
            ? actual > o.threshold
            : actual >= o.threshold);
    return { ...o, actual, met };
  });
}

/** "p95<5s (was 6.21s)" — for the missed-objective message. */
export function describeResult(r: ObjectiveResult): string {
  if (r.actual === null) return `${r.text} (no data)`;
  const kind = METRICS[r.metric].kind;
  const actual = kind === 'percent' ? `${(r.actual * 100).toFixed(2)}%` : kind === 'count' ? r.actual.toFixed(1) : formatMs(r.actual);
  return `${r.text} (was ${actual})`;
}
