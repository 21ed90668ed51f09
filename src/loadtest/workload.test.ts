import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinWorkload, POPULAR_PROMPTS_PER_MODEL } from './builtin-workload.js';
import { loadJsonlWorkload, parseJsonlWorkload } from './jsonl-workload.js';
import { DEFAULT_MIX } from './plan.js';

describe('built-in workload', () => {
  it('is the same sequence for the same seed, and differs for another', () => {
    const take = (seed: number) => {
      const w = builtinWorkload({ mix: DEFAULT_MIX, repeatShare: 0.5, seed, stream: false, runId: 'fixed' });
      return Array.from({ length: 50 }, () => JSON.stringify(w.next()));
    };
    expect(take(7)).toEqual(take(7));
    expect(take(7)).not.toEqual(take(8));
  });

  it('makes unique requests unique across runs, while repeats stay the same', () => {
    const first = (runId?: string) => {
      const w = builtinWorkload({ mix: [['phi3-mini', 1]], repeatShare: 0.5, seed: 1, stream: false, runId });
      return Array.from({ length: 40 }, () => JSON.stringify(w.next()));
    };
    const [a, b] = [first(), first()];
    const repeatsOf = (xs: string[]) => xs.filter((x) => x.includes('FAQ'));
    expect(repeatsOf(a)).toEqual(repeatsOf(b));
    expect(repeatsOf(a).length).toBeGreaterThan(5);
    const uniques = a.filter((x) => !x.includes('FAQ'));
    expect(uniques.every((x) => !b.includes(x))).toBe(true);
  });

  it('sends the configured share of exact repeats and the model mix', () => {
    const w = builtinWorkload({ mix: DEFAULT_MIX, repeatShare: 0.3, seed: 1, stream: false });
    const seen = new Set<string>();
    const perModel: Record<string, number> = {};
    let repeats = 0;
    const n = 5000;
    for (let i = 0; i < n; i++) {
      const r = w.next();
      const key = JSON.stringify(r);
      if (seen.has(key)) repeats += 1;
      seen.add(key);
      perModel[r.model] = (perModel[r.model] ?? 0) + 1;
      expect(r.temperature).toBe(0);
      expect(r.max_tokens).toBeGreaterThan(0);
    }
    // Repeats after warm-up: the share minus the first sight of each popular prompt.
    expect(repeats / n).toBeGreaterThan(0.3 - 0.04 - (3 * POPULAR_PROMPTS_PER_MODEL) / n);
    expect(repeats / n).toBeLessThan(0.34);
    expect(perModel['phi3-mini'] / n).toBeCloseTo(0.7, 1);
    expect(perModel['llama3-70b'] / n).toBeCloseTo(0.1, 1);
  });

  it('asks for streams with usage when --stream is on', () => {
    const r = builtinWorkload({ mix: [['phi3-mini', 1]], repeatShare: 0, seed: 1, stream: true }).next();
    expect(r).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });
});

describe('JSONL workload', () => {
  it('names every malformed line with its number', () => {
    const text = [
      '{"model":"phi3-mini","messages":[{"role":"user","content":"hi"}]}',
      '',
      '{"model":"phi3-mini","messages":[]}',
      'not json',
      '[1,2]',
      '{"messages":[{"content":"no role"}]}',
      '{"messages":[{"role":"user","content":"x"}],"max_tokens":-3}',
    ].join('\n');
    let message = '';
    try {
      parseJsonlWorkload(text, 'w.jsonl');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('w.jsonl: 5 malformed line(s)');
    for (const n of [3, 4, 5, 6, 7]) expect(message).toMatch(new RegExp(`line ${n}: `));
    expect(message).not.toMatch(/line [12]: /);
  });

  it('replays the lines in order, filling a missing model from the mix', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpuarb-lt-'));
    const file = join(dir, 'w.jsonl');
    writeFileSync(
      file,
      '{"model":"llama3-70b","messages":[{"role":"user","content":"a"}]}\n{"messages":[{"role":"user","content":"b"}]}\n',
    );
    const w = await loadJsonlWorkload(file, { mix: [['phi3-mini', 1]], seed: 1, stream: false });
    expect(w.models().sort()).toEqual(['llama3-70b', 'phi3-mini']);
    expect([w.next(), w.next(), w.next()].map((r) => [r.model, r.messages[0].content])).toEqual([
      ['llama3-70b', 'a'],
      ['phi3-mini', 'b'],
      ['llama3-70b', 'a'],
    ]);
  });
});
