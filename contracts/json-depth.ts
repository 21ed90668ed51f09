// How deeply nested a request's JSON may be, for every server that parses customer JSON (the
// gateway and the agents). V8's JSON.parse copes with any depth, but the recursive steps after it
// (JSON.stringify when forwarding, the cache key's canonical encoding, engines' own encoders) run
// out of stack at a few thousand levels and would answer 500; refusing deeper bodies up front
// makes that a 400 and keeps every later step inside a known depth.

/**
 * OpenAI's structured outputs allow 10 levels of schema nesting (about three JSON levels each)
 * under a few levels of request envelope (body → tools → [i] → function → parameters): 64 leaves
 * ample room for every real request while staying orders of magnitude below the stack limit.
 */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/**
 * True when the JSON text nests objects/arrays deeper than `max`. One pass over the bytes; strings
 * (most of a chat body) are skipped with indexOf, so the cost is the structure, not the text.
 * Only counts brackets: malformed JSON is left for JSON.parse to report.
 */
export function jsonNestingOver(bytes: Uint8Array, max: number = MAX_JSON_DEPTH): boolean {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let depth = 0;
  const n = buf.length;
  for (let i = 0; i < n; i++) {
    const c = buf[i];
    if (c === QUOTE) {
      // Jump to the closing quote: one that is not escaped by an odd run of backslashes.
      for (;;) {
        const end = buf.indexOf(QUOTE, i + 1);
        if (end < 0) return false;
        let slashes = 0;
        for (let j = end - 1; buf[j] === BACKSLASH; j--) slashes++;
        i = end;
        if (slashes % 2 === 0) break;
      }
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > max) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}
