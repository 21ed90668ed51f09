// Durations in config and flags: "90s", "15m", "1h", "30d", or a number of seconds.
import { z } from 'zod';

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

export function parseDurationSeconds(input: string | number): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? input : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(input);
  if (!m) return undefined;
  return Number(m[1]) * UNIT_SECONDS[m[2] ?? 's'];
}

/** A zod field accepting "15m"-style strings or seconds, producing seconds. */
export const durationSeconds = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const s = parseDurationSeconds(v);
  if (s === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration; write e.g. 30s, 15m, 1h or 7d` });
    return z.NEVER;
  }
  return s;
});
