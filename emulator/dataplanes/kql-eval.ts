// Evaluates a parsed KQL subset query over one table's rows, with KQL's semantics where they
// matter to gpuarb: `has` matches whole terms case-insensitively, `contains` substrings,
// `==` is case-sensitive, order is descending by default, strings are never null (empty instead).
import { KqlError } from './kql-errors.js';
import type { Expr, KqlQuery, Operator, OrderKey } from './kql-parse.js';
import type { Cell, Column, ColumnType } from './log-store.js';

/** Typed wrappers so datetimes and timespans do not mix with plain numbers. */
class Dt {
  constructor(readonly ms: number) {}
}
class Span {
  constructor(readonly ms: number) {}
}
type Value = string | number | boolean | null | Dt | Span | object;
type Row = Record<string, Value>;

export interface ResultTable {
  name: 'PrimaryResult';
  columns: Column[];
  rows: unknown[][];
}

export function evaluate(query: KqlQuery, table: { columns: Column[]; rows: Record<string, Cell>[] }, nowMs: number): ResultTable {
  let columns = table.columns;
  let rows: Row[] = table.rows.map((cells) => {
    const row: Row = {};
    for (const c of columns) {
      const v = cells[c.name];
      row[c.name] =
        v === undefined || v === null ? (c.type === 'string' ? '' : null) : c.type === 'datetime' ? new Dt(v as number) : (v as Value);
    }
    return row;
  });
  for (const op of query.operators) ({ columns, rows } = apply(op, columns, rows, nowMs));
  return { name: 'PrimaryResult', columns, rows: rows.map((r) => columns.map((c) => render(r[c.name]))) };
}

function apply(op: Operator, columns: Column[], rows: Row[], now: number): { columns: Column[]; rows: Row[] } {
  switch (op.kind) {
    case 'where':
      checkColumns(op.expr, columns, 'where');
      return { columns, rows: rows.filter((r) => evalExpr(op.expr, r, now) === true) };
    case 'project': {
      for (const p of op.columns) checkColumns(p.expr, columns, 'project');
      const out = rows.map((r) => Object.fromEntries(op.columns.map((p) => [p.name, evalExpr(p.expr, r, now)])) as Row);
      const types = op.columns.map(
        (p) => (p.expr.kind === 'column' ? columns.find((c) => c.name === p.name)?.type : undefined) ?? typeOf(out.map((r) => r[p.name])),
      );
      return { columns: op.columns.map((p, i) => ({ name: p.name, type: types[i] })), rows: out };
    }
    case 'order':
      for (const k of op.keys) checkColumn(k.column, columns, 'order');
      return { columns, rows: [...rows].sort((a, b) => compareRows(a, b, op.keys)) };
    case 'take':
      return { columns, rows: rows.slice(0, op.count) };
    case 'top':
      checkColumn(op.key.column, columns, 'top');
      return { columns, rows: [...rows].sort((a, b) => compareRows(a, b, [op.key])).slice(0, op.count) };
    case 'count':
      return { columns: [{ name: 'Count', type: 'long' }], rows: [{ Count: rows.length }] };
  }
}

function checkColumn(name: string, columns: Column[], operator: string): void {
  if (!columns.some((c) => c.name === name)) {
    throw KqlError.semantic(`'${operator}' operator: Failed to resolve column or scalar expression named '${name}'`);
  }
}

function checkColumns(e: Expr, columns: Column[], operator: string): void {
  if (e.kind === 'column') checkColumn(e.name, columns, operator);
  else if (e.kind === 'binary') {
    checkColumns(e.left, columns, operator);
    checkColumns(e.right, columns, operator);
  } else if (e.kind === 'in') {
    checkColumns(e.left, columns, operator);
    for (const x of e.list) checkColumns(x, columns, operator);
  } else if (e.kind === 'call') {
    for (const x of e.args) checkColumns(x, columns, operator);
  }
}

function evalExpr(e: Expr, row: Row, now: number): Value {
  switch (e.kind) {
    case 'column':
      return row[e.name] ?? null;
    case 'literal':
      return e.value;
    case 'datetime':
      return new Dt(e.ms);
    case 'timespan':
      return new Span(e.ms);
    case 'call':
      return call(
        e.name,
        e.args.map((a) => evalExpr(a, row, now)),
        now,
      );
    case 'in': {
      const left = evalExpr(e.left, row, now);
      const found = e.list.some((x) => equal(left, evalExpr(x, row, now)));
      return e.negated ? !found : found;
    }
    case 'binary': {
      if (e.op === 'and') return evalExpr(e.left, row, now) === true && evalExpr(e.right, row, now) === true;
      if (e.op === 'or') return evalExpr(e.left, row, now) === true || evalExpr(e.right, row, now) === true;
      return binary(e.op, evalExpr(e.left, row, now), evalExpr(e.right, row, now));
    }
  }
}

function call(name: string, args: Value[], now: number): Value {
  const [a] = args;
  switch (name) {
    case 'ago':
      return a instanceof Span ? new Dt(now - a.ms) : null;
    case 'now':
      return new Dt(now + (a instanceof Span ? a.ms : 0));
    case 'not':
      return a !== true;
    case 'isnull':
      return a === null;
    case 'isnotnull':
      return a !== null;
    case 'isempty':
      return a === null || a === '';
    case 'isnotempty':
      return !(a === null || a === '');
    case 'tolower':
      return typeof a === 'string' ? a.toLowerCase() : a;
    case 'toupper':
      return typeof a === 'string' ? a.toUpperCase() : a;
    default:
      return null;
  }
}

/** Numbers, datetimes and timespans compare by their numeric value; a string meeting a datetime is parsed. */
function comparable(v: Value, other: Value): number | string | boolean | null {
  if (v instanceof Dt || v instanceof Span) return v.ms;
  if (typeof v === 'string' && other instanceof Dt) {
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? v : ms;
  }
  if (v === null || typeof v === 'object') return v === null ? null : JSON.stringify(v);
  return v;
}

function equal(a: Value, b: Value): boolean {
  const x = comparable(a, b);
  const y = comparable(b, a);
  return x !== null && y !== null && x === y;
}

function binary(op: string, a: Value, b: Value): Value {
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

function compareRows(a: Row, b: Row, keys: OrderKey[]): number {
  for (const k of keys) {
    const x = comparable(a[k.column], null);
    const y = comparable(b[k.column], null);
    if (x === y) continue;
    // KQL: nulls come first ascending and last descending.
    if (x === null) return -1 * (k.desc ? -1 : 1);
    if (y === null) return 1 * (k.desc ? -1 : 1);
    const c = x < y ? -1 : 1;
    return k.desc ? -c : c;
  }
  return 0;
}

function typeOf(values: Value[]): ColumnType {
  const v = values.find((x) => x !== null && x !== '');
  if (v instanceof Dt) return 'datetime';
  if (v instanceof Span) return 'timespan';
  if (typeof v === 'number') return values.every((x) => typeof x !== 'number' || Number.isInteger(x)) ? 'long' : 'real';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'object' && v !== null) return 'dynamic';
  return 'string';
}

/** Wire form: ISO datetimes, `hh:mm:ss` timespans, dynamics as JSON text (the SDK parses them). */
function render(v: Value | undefined): unknown {
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
