// Evaluates a parsed KQL subset query over one table's rows, with KQL's semantics where they
// matter to gpuarb: `has` matches whole terms case-insensitively, `contains` substrings,
// `==` is case-sensitive, order is descending by default, strings are never null (empty instead).
import { KqlError } from './kql-errors.js';
import type { Expr, KqlQuery, Operator, OrderKey } from './kql-ast.js';
import type { Cell, Column } from './log-store.js';
import { binary, comparable, Dt, equal, render, Span, typeOf, type Value } from './kql-values.js';

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
