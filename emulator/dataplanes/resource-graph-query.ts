// The Resource Graph query subset the local cloud answers over its SpotResources table:
// `SpotResources | where … | project … | order by … | take N`, with dotted and indexed paths
// (`properties.spotPrices[0].priceUSD`), `==`, `!=`, `=~`, `!~`, `<`…`>=`, `in`, `in~`, `!in`,
// `!in~`, `and`, `or`, and tostring/todouble/toint/tolower. Anything else is refused by name,
// never ignored: a query half-understood would return wrong rows.

export class ResourceGraphQueryError extends Error {}

type Tok = { kind: 'ident' | 'string' | 'number' | 'op' | 'eof'; text: string; num?: number };
type Expr =
  | { kind: 'lit'; value: unknown }
  | { kind: 'path'; steps: (string | number)[] }
  | { kind: 'call'; fn: string; arg: Expr }
  | { kind: 'bin'; op: string; left: Expr; right: Expr }
  | { kind: 'in'; left: Expr; list: unknown[]; ci: boolean; negated: boolean };
type Op =
  | { kind: 'where'; expr: Expr }
  | { kind: 'project'; items: { name: string; expr: Expr }[] }
  | { kind: 'order'; keys: { name: string; desc: boolean }[] }
  | { kind: 'take'; count: number };

export const SUPPORTED_TABLES = ['SpotResources'];
const FUNCTIONS = ['tostring', 'todouble', 'toint', 'tolower'];
const OPS = ['!in~', 'in~', '=~', '!~', '==', '!=', '<=', '>=', '<', '>', '(', ')', ',', '|', '.', '[', ']', '='];

function tokenize(q: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "'" || c === '"') {
      const end = q.indexOf(c, i + 1);
      if (end < 0) throw new ResourceGraphQueryError(`unterminated string at offset ${i}`);
      out.push({ kind: 'string', text: q.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    const num = /^\d+(\.\d+)?/.exec(q.slice(i));
    if (num) {
      out.push({ kind: 'number', text: num[0], num: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    const op = OPS.find((o) => q.startsWith(o, i) && !(o.endsWith('in~') && /[A-Za-z0-9_]/.test(q[i - 1] ?? '')));
    const word = /^!?[A-Za-z_][A-Za-z0-9_]*/.exec(q.slice(i));
    if (op && !(word && word[0].length > op.length)) {
      out.push({ kind: 'op', text: op });
      i += op.length;
      continue;
    }
    if (!word) throw new ResourceGraphQueryError(`unexpected character '${c}' at offset ${i}`);
    out.push({ kind: word[0].startsWith('!') ? 'op' : 'ident', text: word[0] });
    i += word[0].length;
  }
  out.push({ kind: 'eof', text: '<end of query>' });
  return out;
}

class Parser {
  private i = 0;
  constructor(private readonly t: Tok[]) {}
  private peek(): Tok {
    return this.t[this.i];
  }
  private next(): Tok {
    return this.t[this.i++];
  }
  private is(text: string): boolean {
    return this.peek().text === text;
  }
  private expect(text: string): void {
    if (this.next().text !== text) throw new ResourceGraphQueryError(`expected '${text}' before '${this.t[this.i - 1].text}'`);
  }
  query(): { table: string; ops: Op[] } {
    const table = this.next();
    if (table.kind !== 'ident') throw new ResourceGraphQueryError(`a query starts with a table name, not '${table.text}'`);
    if (!SUPPORTED_TABLES.some((s) => s.toLowerCase() === table.text.toLowerCase()))
      throw new ResourceGraphQueryError(
        `table '${table.text}' is not served by the gpuarb local cloud (it serves ${SUPPORTED_TABLES.join(', ')})`,
      );
    const ops: Op[] = [];
    while (this.is('|')) {
      this.next();
      ops.push(this.operator());
    }
    if (this.peek().kind !== 'eof') throw new ResourceGraphQueryError(`unexpected '${this.peek().text}'`);
    return { table: table.text, ops };
  }
  private operator(): Op {
    const name = this.next().text.toLowerCase();
    if (name === 'where') return { kind: 'where', expr: this.or() };
    if (name === 'take' || name === 'limit') {
      const n = this.next();
      if (n.kind !== 'number') throw new ResourceGraphQueryError(`'${name}' needs a number`);
      return { kind: 'take', count: n.num ?? 0 };
    }
    if (name === 'order' || name === 'sort') {
      this.expect('by');
      const keys: { name: string; desc: boolean }[] = [];
      do {
        const key = this.next().text;
        // KQL sorts descending unless told otherwise.
        let desc = true;
        if (this.is('asc') || this.is('desc')) desc = this.next().text === 'desc';
        keys.push({ name: key, desc });
      } while (this.is(',') && this.next());
      return { kind: 'order', keys };
    }
    if (name === 'project') {
      const items: { name: string; expr: Expr }[] = [];
      do {
        const start = this.i;
        const first = this.next();
        if (first.kind === 'ident' && this.is('=')) {
          this.next();
          items.push({ name: first.text, expr: this.value() });
        } else {
          this.i = start;
          const expr = this.value();
          if (expr.kind !== 'path') throw new ResourceGraphQueryError('a computed project column needs a name (name = expression)');
          items.push({ name: String(expr.steps.filter((s) => typeof s === 'string').pop()), expr });
        }
      } while (this.is(',') && this.next());
      return { kind: 'project', items };
    }
    throw new ResourceGraphQueryError(
      `operator '${name}' is not supported by the gpuarb local cloud's Resource Graph (supported: where, project, order by, sort by, take, limit)`,
    );
  }
  private or(): Expr {
    let left = this.and();
    while (this.is('or')) {
      this.next();
      left = { kind: 'bin', op: 'or', left, right: this.and() };
    }
    return left;
  }
  private and(): Expr {
    let left = this.comparison();
    while (this.is('and')) {
      this.next();
      left = { kind: 'bin', op: 'and', left, right: this.comparison() };
    }
    return left;
  }
  private comparison(): Expr {
    if (this.is('(')) {
      this.next();
      const e = this.or();
      this.expect(')');
      return e;
    }
    const left = this.value();
    const op = this.peek().text;
    if (['in', 'in~', '!in', '!in~'].includes(op)) {
      this.next();
      this.expect('(');
      const list: unknown[] = [];
      do {
        const v = this.value();
        if (v.kind !== 'lit') throw new ResourceGraphQueryError(`'${op}' takes a list of literals`);
        list.push(v.value);
      } while (this.is(',') && this.next());
      this.expect(')');
      return { kind: 'in', left, list, ci: op.endsWith('~'), negated: op.startsWith('!') };
    }
    if (['==', '!=', '=~', '!~', '<', '<=', '>', '>='].includes(op)) {
      this.next();
      return { kind: 'bin', op, left, right: this.value() };
    }
    throw new ResourceGraphQueryError(`expected a comparison after the value, found '${op}'`);
  }
  private value(): Expr {
    const t = this.next();
    if (t.kind === 'string') return { kind: 'lit', value: t.text };
    if (t.kind === 'number') return { kind: 'lit', value: t.num };
    if (t.kind !== 'ident') throw new ResourceGraphQueryError(`expected a value, found '${t.text}'`);
    if (t.text === 'true' || t.text === 'false') return { kind: 'lit', value: t.text === 'true' };
    if (this.is('(')) {
      if (!FUNCTIONS.includes(t.text.toLowerCase()))
        throw new ResourceGraphQueryError(
          `function '${t.text}' is not supported by the gpuarb local cloud (supported: ${FUNCTIONS.join(', ')})`,
        );
      this.next();
      const arg = this.value();
      this.expect(')');
      return { kind: 'call', fn: t.text.toLowerCase(), arg };
    }
    const steps: (string | number)[] = [t.text];
    while (this.is('.') || this.is('[')) {
      if (this.next().text === '.') steps.push(this.next().text);
      else {
        const n = this.next();
        if (n.kind !== 'number') throw new ResourceGraphQueryError('an index is a number');
        steps.push(n.num ?? 0);
        this.expect(']');
      }
    }
    return { kind: 'path', steps };
  }
}

type Row = Record<string, unknown>;

function evalExpr(e: Expr, row: Row): unknown {
  switch (e.kind) {
    case 'lit':
      return e.value;
    case 'path':
      return e.steps.reduce<unknown>(
        (v, s) => (v === null || v === undefined ? undefined : (v as Record<string | number, unknown>)[s]),
        row,
      );
    case 'call': {
      const v = evalExpr(e.arg, row);
      if (e.fn === 'tostring') return v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
      if (e.fn === 'tolower') return String(v ?? '').toLowerCase();
      const n = Number(v);
      if (v === undefined || v === null || v === '' || Number.isNaN(n)) return null;
      return e.fn === 'toint' ? Math.trunc(n) : n;
    }
    case 'in': {
      const v = evalExpr(e.left, row);
      const norm = (x: unknown) => (e.ci && typeof x === 'string' ? x.toLowerCase() : x);
      const found = e.list.some((x) => norm(x) === norm(v));
      return e.negated ? !found : found;
    }
    case 'bin': {
      if (e.op === 'and') return evalExpr(e.left, row) === true && evalExpr(e.right, row) === true;
      if (e.op === 'or') return evalExpr(e.left, row) === true || evalExpr(e.right, row) === true;
      const l = evalExpr(e.left, row);
      const r = evalExpr(e.right, row);
      const lower = (x: unknown) => String(x ?? '').toLowerCase();
      if (e.op === '=~') return lower(l) === lower(r);
      if (e.op === '!~') return lower(l) !== lower(r);
      if (e.op === '==') return l === r;
      if (e.op === '!=') return l !== r;
      const [a, b] = [l as number, r as number];
      return e.op === '<' ? a < b : e.op === '<=' ? a <= b : e.op === '>' ? a > b : a >= b;
    }
  }
}

/** Runs a query over the table's rows; rows come back as objects (Resource Graph's objectArray). */
export function runResourceGraphQuery(query: string, rows: Row[]): Row[] {
  const parsed = new Parser(tokenize(query)).query();
  let out = rows;
  for (const op of parsed.ops) {
    if (op.kind === 'where') out = out.filter((r) => evalExpr(op.expr, r) === true);
    else if (op.kind === 'take') out = out.slice(0, op.count);
    else if (op.kind === 'project') out = out.map((r) => Object.fromEntries(op.items.map((p) => [p.name, evalExpr(p.expr, r) ?? null])));
    else {
      const cmp = (a: unknown, b: unknown) => (a === b ? 0 : a === null || a === undefined ? 1 : (a as number) < (b as number) ? -1 : 1);
      out = [...out].sort((x, y) => {
        for (const k of op.keys) {
          const c = cmp(x[k.name], y[k.name]);
          if (c) return k.desc ? -c : c;
        }
        return 0;
      });
    }
  }
  return out;
}
