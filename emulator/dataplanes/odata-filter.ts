// The `$filter` subset of the Retail Prices API: `field eq 'value'`, `ne`, `gt|ge|lt|le` on
// numbers, `and`, `or`, `not`, parentheses, and `contains|startswith|endswith(field,'text')`.
// Field names and string values are case-sensitive, as the API has been since 2023-01-01-preview.

export type Item = Record<string, unknown>;
export type Predicate = (item: Item) => boolean;

export class ODataFilterError extends Error {}

interface Tok {
  text: string;
  kind: 'word' | 'string' | 'number' | 'punct';
  pos: number;
}

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    if (/\s/.test(src[i])) {
      i++;
      continue;
    }
    const start = i;
    if (src[i] === "'") {
      let text = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new ODataFilterError(`unterminated string at position ${start}`);
        if (src[i] === "'" && src[i + 1] === "'") {
          text += "'";
          i += 2;
          continue;
        } // OData escapes ' as ''
        if (src[i] === "'") {
          i++;
          break;
        }
        text += src[i++];
      }
      out.push({ text, kind: 'string', pos: start });
    } else if ('(),'.includes(src[i])) {
      out.push({ text: src[i++], kind: 'punct', pos: start });
    } else if (/[-0-9]/.test(src[i])) {
      const m = /^-?\d+(\.\d+)?/.exec(src.slice(i));
      if (!m) throw new ODataFilterError(`unexpected '${src[i]}' at position ${i}`);
      out.push({ text: m[0], kind: 'number', pos: start });
      i += m[0].length;
    } else {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
      if (!m) throw new ODataFilterError(`unexpected '${src[i]}' at position ${i}`);
      out.push({ text: m[0], kind: 'word', pos: start });
      i += m[0].length;
    }
  }
  return out;
}

const FUNCTIONS: Record<string, (a: string, b: string) => boolean> = {
  contains: (a, b) => a.includes(b),
  startswith: (a, b) => a.startsWith(b),
  endswith: (a, b) => a.endsWith(b),
};
const COMPARE: Record<string, (a: unknown, b: unknown) => boolean> = {
  eq: (a, b) => a === b,
  ne: (a, b) => a !== b,
  gt: (a, b) => typeof a === 'number' && a > (b as number),
  ge: (a, b) => typeof a === 'number' && a >= (b as number),
  lt: (a, b) => typeof a === 'number' && a < (b as number),
  le: (a, b) => typeof a === 'number' && a <= (b as number),
};

/** Compiles `$filter` into a predicate over items whose fields are `fields`. */
export function compileFilter(src: string, fields: readonly string[]): Predicate {
  const toks = tokenize(src);
  let i = 0;
  const peek = (): Tok | undefined => toks[i];
  const take = (what: string): Tok => {
    const t = toks[i++];
    if (!t) throw new ODataFilterError(`expected ${what} at the end of the filter`);
    return t;
  };
  const expectPunct = (p: string): void => {
    const t = take(`'${p}'`);
    if (t.text !== p) throw new ODataFilterError(`expected '${p}' at position ${t.pos}, found '${t.text}'`);
  };
  const field = (): string => {
    const t = take('a property name');
    if (t.kind !== 'word' || !fields.includes(t.text)) {
      throw new ODataFilterError(
        `'${t.text}' at position ${t.pos} is not a property of a price item (names are case-sensitive: ${fields.join(', ')})`,
      );
    }
    return t.text;
  };
  const literal = (): unknown => {
    const t = take('a value');
    if (t.kind === 'string') return t.text;
    if (t.kind === 'number') return Number(t.text);
    if (t.text === 'true' || t.text === 'false') return t.text === 'true';
    throw new ODataFilterError(`expected a value at position ${t.pos}, found '${t.text}'`);
  };

  const or = (): Predicate => {
    let left = and();
    while (peek()?.text === 'or') {
      i++;
      const l = left,
        r = and();
      left = (x) => l(x) || r(x);
    }
    return left;
  };
  const and = (): Predicate => {
    let left = unary();
    while (peek()?.text === 'and') {
      i++;
      const l = left,
        r = unary();
      left = (x) => l(x) && r(x);
    }
    return left;
  };
  const unary = (): Predicate => {
    if (peek()?.text === 'not') {
      i++;
      const p = unary();
      return (x) => !p(x);
    }
    return primary();
  };
  const primary = (): Predicate => {
    const t = peek();
    if (!t) throw new ODataFilterError('the filter ends where a condition was expected');
    if (t.text === '(') {
      i++;
      const p = or();
      expectPunct(')');
      return p;
    }
    if (t.kind === 'word' && FUNCTIONS[t.text] && toks[i + 1]?.text === '(') {
      i += 2;
      const name = field();
      expectPunct(',');
      const value = literal();
      expectPunct(')');
      if (typeof value !== 'string') throw new ODataFilterError(`${t.text}() takes a string value`);
      const fn = FUNCTIONS[t.text];
      return (x) => typeof x[name] === 'string' && fn(x[name] as string, value);
    }
    const name = field();
    const op = take('an operator');
    const cmp = COMPARE[op.text];
    if (!cmp)
      throw new ODataFilterError(
        `'${op.text}' at position ${op.pos} is not a supported operator (eq, ne, gt, ge, lt, le; operators are lower case)`,
      );
    const value = literal();
    return (x) => cmp(x[name], value);
  };

  const predicate = or();
  const rest = peek();
  if (rest) throw new ODataFilterError(`unexpected '${rest.text}' at position ${rest.pos}`);
  return predicate;
}
