// Reads sample values out of Prometheus text exposition (what vLLM's /metrics serves), summing
// over label sets: one vLLM serves one model, but a sum is right for any number of them.

export function sumMetric(text: string, name: string): number | null {
  let found = false;
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== '{' && rest[0] !== ' ') continue; // a longer name sharing the prefix
    const afterLabels = rest[0] === '{' ? rest.slice(rest.indexOf('}') + 1) : rest;
    const value = Number(afterLabels.trim().split(/\s+/)[0]); // an optional timestamp may follow
    if (Number.isFinite(value)) {
      total += value;
      found = true;
    }
  }
  return found ? total : null;
}
