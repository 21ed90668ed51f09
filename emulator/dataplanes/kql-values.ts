// KQL's values and the operators over them: typed datetimes and timespans, comparison and
// equality across types, string operators with KQL's case rules, and the wire rendering.
import type { ColumnType } from './log-store.js';

/** Typed wrappers so datetimes and timespans do not mix with plain numbers. */
export class Dt {
  constructor(readonly ms: number) {}
}
export class Span {
  constructor(readonly ms: number) {}
}
export type Value = string | number | boolean | null | Dt | Span | object;

/** Numbers, datetimes and timespans compare by their numeric value; a string meeting a datetime is parsed. */
export function comparable(v: Value, other: Value): number | string | boolean | null {
  if (v instanceof Dt || v instanceof Span) return v.ms;
  if (typeof v === 'string' && other instanceof Dt) {
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? v : ms;
  }
  if (v === null || typeof v === 'object') return v === null ? null : JSON.stringify(v);
  return v;
}

export function equal(a: Value, b: Value): boolean {
  const x = comparable(a, b);
  const y = comparable(b, a);
  return x !== null && y !== null && x === y;
}

export function binary(op: string, a: Value, b: Value): Value {
  if (op === '+' || op === '-') return arithmetic(op, a, b);
  if (op === '==') return equal(a, b);
  if (op === '!=') return a !== null && b !== null && !equal(a, b);
  const sa = typeof a === 'string' ? a : a === null ? '' : String(comparable(a, b));
  const sb = typeof b === 'string' ? b : b === null ? '' : String(comparable(b, a));
  const negated = op.startsWith('!') && op !== '!=';
  const base = negated ? op.slice(1) : op;
  switch (base) {
    case '=~':
    case '~':
      return negated !== (sa.toLowerCase() === sb.toLowerCase());
    case 'has':
      return negated !== hasTerm(sa.toLowerCase(), sb.toLowerCase());
    case 'has_cs':
      return negated !== hasTerm(sa, sb);
    case 'contains':
      return negated !== sa.toLowerCase().includes(sb.toLowerCase());
    case 'contains_cs':
      return negated !== sa.includes(sb);
    case 'startswith':
      return negated !== sa.toLowerCase().startsWith(sb.toLowerCase());
    case 'endswith':
      return negated !== sa.toLowerCase().endsWith(sb.toLowerCase());
  }
  const x = comparable(a, b);
  const y = comparable(b, a);
  if (x === null || y === null) return false;
  switch (op) {
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    case '>=':
      return x >= y;
  }
  return null;
}

function arithmetic(op: '+' | '-', a: Value, b: Value): Value {
  const sign = op === '+' ? 1 : -1;
  if (a instanceof Dt && b instanceof Span) return new Dt(a.ms + sign * b.ms);
  if (a instanceof Dt && b instanceof Dt && op === '-') return new Span(a.ms - b.ms);
  if (a instanceof Span && b instanceof Span) return new Span(a.ms + sign * b.ms);
  if (typeof a === 'number' && typeof b === 'number') return a + sign * b;
  return null;
}

/** KQL `has`: the needle occurs bounded by non-alphanumeric characters (a whole term). */
function hasTerm(haystack: string, needle: string): boolean {
  if (needle === '') return true;
  const isWord = (c: string | undefined): boolean => c !== undefined && /[\p{L}\p{N}]/u.test(c);
  for (let i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
    const startOk = !isWord(needle[0]) || !isWord(haystack[i - 1]);
    const endOk = !isWord(needle[needle.length - 1]) || !isWord(haystack[i + needle.length]);
    if (startOk && endOk) return true;
  }
  return false;
}

export function typeOf(values: Value[]): ColumnType {
  const v = values.find((x) => x !== null && x !== '');
  if (v instanceof Dt) return 'datetime';
  if (v instanceof Span) return 'timespan';
  if (typeof v === 'number') return values.every((x) => typeof x !== 'number' || Number.isInteger(x)) ? 'long' : 'real';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'object' && v !== null) return 'dynamic';
  return 'string';
}

/** Wire form: ISO datetimes, `hh:mm:ss` timespans, dynamics as JSON text (the SDK parses them). */
export function render(v: Value | undefined): unknown {
  if (v === undefined) return null;
  if (v instanceof Dt) return new Date(v.ms).toISOString();
  if (v instanceof Span) return formatSpan(v.ms);
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  return v;
}

function formatSpan(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  const days = Math.floor(rest / 86_400_000);
  rest -= days * 86_400_000;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = rest / 1000;
  const pad = (n: number): string => String(Math.floor(n)).padStart(2, '0');
  const frac = s % 1 ? (s % 1).toFixed(7).slice(1) : '';
  return `${sign}${days ? `${days}.` : ''}${pad(h)}:${pad(m)}:${pad(s)}${frac}`;
}
