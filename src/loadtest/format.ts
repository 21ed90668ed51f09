// Number formatting shared by the live view, the table and the HTML report (kept free of heavy
// imports: the command's render uses it without loading the generator).
export function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)}s` : `${ms.toFixed(ms < 10 ? 1 : 0)}ms`;
}

export const ms = (v: number | undefined | null): string => (v === undefined || v === null ? '-' : formatMs(v));

export const pct = (v: number | null, digits = 1): string => (v === null ? '-' : `${(v * 100).toFixed(digits)}%`);
