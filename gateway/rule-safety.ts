// The `auto` routing rules are regular expressions run on customer text, so their cost is an
// attack surface: JavaScript's backtracking engine takes quadratic or exponential time on some
// patterns (one `\d+\s*[*/]\s*\d+` over a 16 000-digit prompt held the event loop for 7.5 s).
// Two controls keep one routing decision in milliseconds whatever the prompt:
//   1. the rules only ever see a bounded window of the prompt (ruleWindow below);
//   2. at config load every rule is checked: constructs with exponential or unbounded
//      backtracking are refused outright, and the rule is timed over adversarial windows of the
//      full size (long runs of what its own quantifiers accept), refused if one costs too much.

/**
 * Characters of message text the rules see: the head and the tail (a question framing the prompt
 * and code pasted at its end are both common). 4096 is about 1000 tokens, ample to spot code or
 * maths, and small enough that even a quadratic rule stays in single milliseconds.
 */
export const RULE_WINDOW_CHARS = 4096;

/**
 * What one rule may cost on one adversarial window at config load. A safe rule takes well under
 * 5 ms on a full window even on a loaded machine; the patterns this exists to catch take hundreds
 * of milliseconds to seconds, so 50 ms separates them without flaking on a busy host.
 */
export const RULE_PROBE_BUDGET_MS = 50;

/** The part of `text` the rules run on: all of it when short, else its head and tail. */
export function ruleWindow(text: string): string {
  if (text.length <= RULE_WINDOW_CHARS) return text;
  const half = RULE_WINDOW_CHARS / 2;
  return `${text.slice(0, half)}\n${text.slice(-half)}`;
}

/** Why the pattern is unsafe to run on customer text, or undefined when it is fine. */
export function unsafeRuleReason(pattern: string, flags = 'i'): string | undefined {
  const key = `${flags}/${pattern}`;
  if (!checked.has(key)) checked.set(key, check(pattern, flags));
  return checked.get(key);
}

/** Verdicts by flags and pattern: the probes take milliseconds, and configs are parsed often (tests, reloads). */
const checked = new Map<string, string | undefined>();

function check(pattern: string, flags: string): string | undefined {
  const structural = unsafeStructure(pattern);
  if (structural) return structural;
  const re = new RegExp(pattern, flags);
  re.test('warm up'); // the first run is interpreted; the runtime cost is the compiled one
  for (const unit of probeUnits(pattern)) {
    // Growing lengths, so an exponential rule is caught at a few dozen characters, long before
    // the probe itself could hang the load.
    for (const length of PROBE_LENGTHS) {
      const probe = unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
      const started = performance.now();
      re.test(probe);
      const ms = performance.now() - started;
      if (ms > RULE_PROBE_BUDGET_MS)
        return `takes ${Math.round(ms)} ms on ${length} characters of ${JSON.stringify(unit)}; rewrite it without overlapping quantifiers`;
    }
  }
  return undefined;
}

/** Backreferences and lookarounds are not regular; a quantified group holding a quantifier backtracks exponentially. */
function unsafeStructure(pattern: string): string | undefined {
  if (/\\[1-9]|\\k</.test(pattern)) return 'backreferences are not allowed (matching cost is unbounded)';
  if (/\(\?<?[=!]/.test(pattern)) return 'lookarounds are not allowed (matching cost is unbounded)';
  // One pass over the source: for each open group, whether it holds a quantifier.
  const groups: boolean[] = [];
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') groups.push(false);
    else if (c === ')') {
      const held = groups.pop() ?? false;
      const next = pattern[i + 1];
      if (held && (next === '*' || next === '+' || next === '{')) return 'a repeated group holds a quantifier (exponential backtracking)';
      if (groups.length) groups[groups.length - 1] ||= held;
    } else if ((c === '*' || c === '+' || c === '{' || c === '?') && groups.length) groups[groups.length - 1] ||= c !== '?';
  }
  return undefined;
}

/** Probe lengths: fine steps where exponential cost explodes, then doubling up to the full window. */
const PROBE_LENGTHS = [8, 12, 16, 20, 24, 28, 32, 64, 128, 256, 512, 1024, 2048, RULE_WINDOW_CHARS + 1];

/** What the probes repeat: generic characters, then the pattern's own characters and words. */
function probeUnits(pattern: string): string[] {
  const units = new Set(['1', 'a', 'A', ' ', '\n', '\t', '1 ', 'a ', '.']);
  for (const c of pattern.replace(/\\[a-zA-Z]/g, '')) if (c > ' ' && c <= '~') units.add(c);
  for (const word of pattern.match(/[A-Za-z]{2,}/g) ?? []) {
    units.add(`${word} `);
    units.add(`${word.toLowerCase()} `);
  }
  return [...units];
}
