// Tokens of the KQL subset the local cloud understands. Positions are kept so errors can name
// the line and column as Azure's SYN0002 errors do.
import { KqlError } from './kql-errors.js';

export type TokenKind = 'ident' | 'string' | 'number' | 'timespan' | 'datetime' | 'op' | 'eof';

type ValueKind = 'number' | 'timespan' | 'datetime';

/** `pos` is the 0-based offset into the query. */
export type Token =
  | {
      kind: ValueKind;
      text: string;
      pos: number;
      /** For numbers and timespans (milliseconds); for datetimes, epoch milliseconds. */
      num: number;
    }
  | { kind: Exclude<TokenKind, ValueKind>; text: string; pos: number };

const TIMESPAN_UNITS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1, min: 60_000, sec: 1000 };
// Longest first, so `!contains` is one token and `!=` is not read as `!` then `=`.
const OPERATORS = [
  '!contains_cs',
  '!contains',
  '!has_cs',
  '!has',
  '!startswith',
  '!endswith',
  '!in',
  '==',
  '!=',
  '<=',
  '>=',
  '=~',
  '!~',
  '<',
  '>',
  '=',
  '|',
  '(',
  ')',
  ',',
  '+',
  '-',
  '*',
  '/',
  '.',
];

export function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const c = query[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (query.startsWith('//', i)) {
      while (i < query.length && query[i] !== '\n') i++;
      continue;
    }
    const start = i;
    if (c === '"' || c === "'" || (c === '@' && (query[i + 1] === '"' || query[i + 1] === "'"))) {
      const verbatim = c === '@';
      const quote = verbatim ? query[i + 1] : c;
      i += verbatim ? 2 : 1;
      let text = '';
      while (i < query.length && query[i] !== quote) {
        if (!verbatim && query[i] === '\\' && i + 1 < query.length) {
          text += unescapeChar(query[i + 1]);
          i += 2;
          continue;
        }
        text += query[i++];
      }
      if (i >= query.length) throw KqlError.syntax(query, start, query.slice(start), 'unterminated string literal');
      i++;
      tokens.push({ kind: 'string', text, pos: start });
      continue;
    }
    if (/[0-9]/.test(c)) {
      const m = /^(\d+(?:\.\d+)?)(ms|min|sec|d|h|m|s)?(?![A-Za-z0-9_])/.exec(query.slice(i));
      if (!m) throw KqlError.syntax(query, start, query.slice(start).split(/\s/)[0], 'not a number or timespan');
      const value = Number(m[1]);
      tokens.push(
        m[2]
          ? { kind: 'timespan', text: m[0], pos: start, num: value * TIMESPAN_UNITS[m[2]] }
          : { kind: 'number', text: m[0], pos: start, num: value },
      );
      i += m[0].length;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      // Operator names may contain hyphens (project-away, mv-expand); keep them whole for errors.
      // c itself matches, so the pattern always matches at least one character.
      const word = /^[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z_][A-Za-z0-9_]*)*/.exec(query.slice(i))?.[0] ?? c;
      i += word.length;
      if (word === 'datetime' && /^\s*\(/.test(query.slice(i))) {
        // datetime(...) holds a raw date, not tokens: 2024-01-01 would otherwise lex as numbers.
        const close = query.indexOf(')', i);
        if (close < 0) throw KqlError.syntax(query, start, 'datetime(', 'unterminated datetime literal');
        const raw = query
          .slice(query.indexOf('(', i) + 1, close)
          .trim()
          .replace(/^["']|["']$/g, '');
        const ms = parseKqlDatetime(raw);
        if (Number.isNaN(ms)) throw KqlError.syntax(query, start, `datetime(${raw})`, 'not a valid datetime');
        tokens.push({ kind: 'datetime', text: raw, pos: start, num: ms });
        i = close + 1;
        continue;
      }
      tokens.push({ kind: 'ident', text: word, pos: start });
      continue;
    }
    const op = OPERATORS.find((o) => query.startsWith(o, i) && !(/[a-z]$/.test(o) && /[A-Za-z0-9_]/.test(query[i + o.length] ?? '')));
    if (!op) throw KqlError.syntax(query, start, c, `unexpected character '${c}'`);
    tokens.push({ kind: 'op', text: op, pos: start });
    i += op.length;
  }
  tokens.push({ kind: 'eof', text: '<end of query>', pos: query.length });
  return tokens;
}

/** KQL datetimes are UTC unless they say otherwise; a bare date is midnight. */
function parseKqlDatetime(raw: string): number {
  let s = raw.trim().replace(' ', 'T');
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) s += 'T00:00:00Z';
  else if (!/(Z|[+-]\d\d:?\d\d)$/i.test(s)) s += 'Z';
  return Date.parse(s);
}

function unescapeChar(c: string): string {
  return c === 'n' ? '\n' : c === 't' ? '\t' : c === 'r' ? '\r' : c;
}
