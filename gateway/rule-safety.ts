// The `auto` routing rules are regular expressions run on customer text, so their cost is an
// attack surface: JavaScript's backtracking engine takes quadratic or exponential time on some
// patterns (one `\d+\s*[*/]\s*\d+` over a 16 000-digit prompt held the event loop for 7.5 s).
// Two controls keep one routing decision in milliseconds whatever the prompt:
//   1. the rules only ever see a bounded window of the prompt (ruleWindow below), so even a
//      quadratic rule runs over at most RULE_WINDOW_CHARS characters;
//   2. at config load, constructs with exponential or unbounded backtracking (a repeated group
//      that holds a quantifier, backreferences, lookarounds) are refused outright.
// The check is structural, never timed: a verdict that depended on how busy the machine was at
// load would refuse safe rules on a loaded host and pass unsafe ones on an idle one.

/**
 * Characters of message text the rules see: the head and the tail (a question framing the prompt
 * and code pasted at its end are both common). 4096 is about 1000 tokens, ample to spot code or
 * maths, and small enough that even a quadratic rule stays in single milliseconds.
 */
export const RULE_WINDOW_CHARS = 4096;

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

/** Verdicts by flags and pattern: configs are parsed often (tests, reloads). */
const checked = new Map<string, string | undefined>();

function check(pattern: string, flags: string): string | undefined {
  const structural = unsafeStructure(pattern);
  if (structural) return structural;
  new RegExp(pattern, flags); // a syntax error surfaces here, with the pattern named by the caller
  return undefined;
}

/**
 * Backreferences and lookarounds are not regular. A repeated group that holds a quantifier or an
 * alternation can match one text in exponentially many ways ((a+)+, (a|a)*); refusing both is
 * conservative (some such groups are harmless), and the hint says how to write them instead.
 */
function unsafeStructure(pattern: string): string | undefined {
  if (/\\[1-9]|\\k</.test(pattern)) return 'backreferences are not allowed (matching cost is unbounded)';
  if (/\(\?<?[=!]/.test(pattern)) return 'lookarounds are not allowed (matching cost is unbounded)';
  // One pass over the source: for each open group, whether it holds a quantifier or a `|`.
  const groups: { quantifier: boolean; alternation: boolean }[] = [];
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
    const top = groups[groups.length - 1];
    if (c === '[') inClass = true;
    else if (c === '(') groups.push({ quantifier: false, alternation: false });
    else if (c === '|' && top) top.alternation = true;
    else if (c === ')') {
      const held = groups.pop() ?? { quantifier: false, alternation: false };
      const next = pattern[i + 1];
      if (next === '*' || next === '+' || next === '{') {
        if (held.quantifier) return 'a repeated group holds a quantifier (exponential backtracking)';
        if (held.alternation) return 'a repeated group holds an alternation (exponential backtracking); use a character class';
      }
      const outer = groups[groups.length - 1];
      if (outer) outer.quantifier ||= held.quantifier;
    } else if ((c === '*' || c === '+' || c === '{') && top) top.quantifier = true;
  }
  return undefined;
}
