// Parser for the KQL subset gpuarb sends: `Table | where … | project … | order by … | take N`
// (also `sort by`, `limit`, `top N by`, `count`). Anything else is rejected with the operator
// named, never silently ignored: a query the emulator half-understands would return wrong rows.
import { KqlError } from './kql-errors.js';
import type { Expr, KqlQuery, Operator, OrderKey } from './kql-ast.js';
import { tokenize, type Token } from './kql-lexer.js';

const SUPPORTED_OPERATORS = 'where, project, order by, sort by, take, limit, top N by, count';
const SUPPORTED_FUNCTIONS = ['ago', 'now', 'not', 'isnull', 'isnotnull', 'isempty', 'isnotempty', 'tolower', 'toupper'];
/** String operators, by the text KQL spells them with. */
const STRING_OPERATORS = [
  'has',
  '!has',
  'has_cs',
  '!has_cs',
  'contains',
  '!contains',
  'contains_cs',
  '!contains_cs',
  'startswith',
  '!startswith',
  'endswith',
  '!endswith',
];
const COMPARISONS = ['==', '!=', '<', '<=', '>', '>=', '=~', '!~', ...STRING_OPERATORS];

export function parseKql(query: string): KqlQuery {
  const p = new Parser(query, tokenize(query));
  return p.query();
}

class Parser {
  private i = 0;
  constructor(
    private readonly src: string,
    private readonly tokens: Token[],
  ) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)];
  }
  private next(): Token {
    return this.tokens[this.i++];
  }
  private isOp(text: string): boolean {
    const t = this.peek();
    return (t.kind === 'op' || t.kind === 'ident') && t.text === text;
  }
  private fail(t: Token, why: string): never {
    throw KqlError.syntax(this.src, t.pos, t.text, why);
  }
  private expect(text: string): Token {
    const t = this.next();
    if (t.text !== text) this.fail(t, `expected '${text}'`);
    return t;
  }
  private ident(what: string): Token {
    const t = this.next();
    if (t.kind !== 'ident') this.fail(t, `expected ${what}`);
    return t;
  }

  query(): KqlQuery {
    const table = this.ident('a table name');
    const operators: Operator[] = [];
    while (this.isOp('|')) {
      this.next();
      operators.push(this.operator());
    }
    const end = this.peek();
    if (end.kind !== 'eof') this.fail(end, "expected '|' or the end of the query");
    return { table: table.text, tablePos: table.pos, operators };
  }

  private operator(): Operator {
    const t = this.next();
    if (t.kind !== 'ident') this.fail(t, 'expected a query operator');
    switch (t.text) {
      case 'where':
        return { kind: 'where', expr: this.expr() };
      case 'project':
        return { kind: 'project', columns: this.projections() };
      case 'order':
      case 'sort':
        this.expect('by');
        return { kind: 'order', keys: this.orderKeys() };
      case 'take':
      case 'limit':
        return { kind: 'take', count: this.count() };
      case 'top': {
        const count = this.count();
        this.expect('by');
        return { kind: 'top', count, key: this.orderKey() };
      }
      case 'count':
        return { kind: 'count' };
      default:
        throw KqlError.unsupported(this.src, t.pos, t.text, SUPPORTED_OPERATORS);
    }
  }

  private count(): number {
    const t = this.next();
    if (t.kind !== 'number' || !Number.isInteger(t.num)) this.fail(t, 'expected a whole number');
    return t.num;
  }

  private projections(): { name: string; expr: Expr }[] {
    const out: { name: string; expr: Expr }[] = [];
    do {
      const name = this.ident('a column name');
      if (this.isOp('=')) {
        this.next();
        out.push({ name: name.text, expr: this.expr() });
      } else {
        out.push({ name: name.text, expr: { kind: 'column', name: name.text, pos: name.pos } });
      }
    } while (this.isOp(',') && this.next());
    return out;
  }

  private orderKeys(): OrderKey[] {
    const keys = [this.orderKey()];
    while (this.isOp(',')) {
      this.next();
      keys.push(this.orderKey());
    }
    return keys;
  }

  private orderKey(): OrderKey {
    const column = this.ident('a column name');
    let desc = true; // KQL sorts descending unless told otherwise.
    if (this.isOp('asc') || this.isOp('desc')) desc = this.next().text === 'desc';
    if (this.isOp('nulls')) this.fail(this.peek(), "'nulls first|last' is not supported by the local cloud");
    return { column: column.text, desc, pos: column.pos };
  }

  expr(): Expr {
    return this.or();
  }

  private or(): Expr {
    let left = this.and();
    while (this.isOp('or')) {
      const t = this.next();
      left = { kind: 'binary', op: 'or', left, right: this.and(), pos: t.pos };
    }
    return left;
  }

  private and(): Expr {
    let left = this.comparison();
    while (this.isOp('and')) {
      const t = this.next();
      left = { kind: 'binary', op: 'and', left, right: this.comparison(), pos: t.pos };
    }
    return left;
  }

  private comparison(): Expr {
    const left = this.additive();
    const t = this.peek();
    if ((t.kind === 'op' || t.kind === 'ident') && (t.text === 'in' || t.text === '!in' || t.text === 'in~')) {
      this.next();
      this.expect('(');
      const list: Expr[] = [this.additive()];
      while (this.isOp(',')) {
        this.next();
        list.push(this.additive());
      }
      this.expect(')');
      return { kind: 'in', left, list, negated: t.text === '!in', pos: t.pos };
    }
    if ((t.kind === 'op' || t.kind === 'ident') && COMPARISONS.includes(t.text)) {
      this.next();
      return { kind: 'binary', op: t.text, left, right: this.additive(), pos: t.pos };
    }
    if (t.kind === 'ident' && !['and', 'or', 'asc', 'desc', 'by'].includes(t.text)) {
      throw KqlError.unsupported(this.src, t.pos, t.text, `==, !=, <, <=, >, >=, =~, !~, in, !in, ${STRING_OPERATORS.join(', ')}`);
    }
    return left;
  }

  private additive(): Expr {
    let left = this.primary();
    while (this.isOp('+') || this.isOp('-')) {
      const t = this.next();
      left = { kind: 'binary', op: t.text, left, right: this.primary(), pos: t.pos };
    }
    return left;
  }

  private primary(): Expr {
    const t = this.next();
    switch (t.kind) {
      case 'string':
        return { kind: 'literal', value: t.text };
      case 'number':
        return { kind: 'literal', value: t.num };
      case 'timespan':
        return { kind: 'timespan', ms: t.num };
      case 'datetime':
        return { kind: 'datetime', ms: t.num };
      case 'op':
        if (t.text === '(') {
          const e = this.expr();
          this.expect(')');
          return e;
        }
        if (t.text === '-') {
          const n = this.peek();
          if (n.kind === 'number') {
            this.next();
            return { kind: 'literal', value: -n.num };
          }
        }
        return this.fail(t, 'expected an expression');
      case 'ident':
        if (t.text === 'true' || t.text === 'false') return { kind: 'literal', value: t.text === 'true' };
        if (t.text === 'null') return { kind: 'literal', value: null };
        if (this.isOp('(')) return this.call(t);
        return { kind: 'column', name: t.text, pos: t.pos };
      default:
        return this.fail(t, 'expected an expression');
    }
  }

  private call(name: Token): Expr {
    if (!SUPPORTED_FUNCTIONS.includes(name.text)) {
      throw KqlError.unsupported(
        this.src,
        name.pos,
        `${name.text}()`,
        `functions ${SUPPORTED_FUNCTIONS.map((f) => `${f}()`).join(', ')}, datetime(…)`,
      );
    }
    this.expect('(');
    const args: Expr[] = [];
    if (!this.isOp(')')) {
      args.push(this.expr());
      while (this.isOp(',')) {
        this.next();
        args.push(this.expr());
      }
    }
    this.expect(')');
    return { kind: 'call', name: name.text, args, pos: name.pos };
  }
}
