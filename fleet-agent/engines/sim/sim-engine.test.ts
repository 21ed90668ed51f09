// Timing properties of the simulator, on a fake clock: exact, and instant to run.
import { describe, expect, it } from 'vitest';
import { required } from '../../../lib/required.js';
import { FakeClock } from '../../../testkit/fake-clock.js';
import type { GenerateEvent, GenerateRequest } from '../engine.js';
import { SIM_PROFILES, findProfile, normalizeSimGpu, timePerOutputTokenMs, timeToFirstTokenMs } from './profiles.js';
import { SimEngine } from './sim-engine.js';

const request = (prompt: string, maxTokens: number, signal = new AbortController().signal): GenerateRequest => ({
  kind: 'completion',
  prompt,
  maxTokens,
  requestId: 'r',
  signal,
});

/** Runs a generation, recording the fake time at which each event arrived. */
async function timed(engine: SimEngine, clock: FakeClock, req: GenerateRequest) {
  const times: number[] = [];
  const events: GenerateEvent[] = [];
  const t0 = clock.now();
  for await (const e of engine.generate(req)) {
    times.push(clock.now() - t0);
    events.push(e);
  }
  return { times, events };
}

async function readyEngine(gpu: 'T4' | 'A100-80GB' = 'T4', overrides = {}) {
  const clock = new FakeClock();
  const engine = new SimEngine({ model: 'phi3-mini', gpu, clock, overrides });
  await engine.start();
  await engine.whenReady();
  return { clock, engine };
}

describe('sim engine', () => {
  it('has a profile for each model on each GPU that can hold it, each with a source', () => {
    for (const model of ['phi3-mini', 'mixtral-8x7b', 'llama3-70b']) expect(SIM_PROFILES.some((p) => p.model === model)).toBe(true);
    for (const gpu of ['T4', 'A100-80GB', '2xA100', '4xA100', 'H100']) expect(SIM_PROFILES.some((p) => p.gpu === gpu)).toBe(true);
    for (const p of SIM_PROFILES) expect(p.source.length).toBeGreaterThan(10);
    expect(() => findProfile('llama3-70b', 'T4')).toThrow(/no sim profile.*known/);
    // gpuarb.yaml spells GPUs its own way; both map to the same profiles.
    expect(['4xA100-80GB', 'A100-80GB', 'a100', 'H100-NVL', 't4', 'none'].map(normalizeSimGpu)).toEqual([
      '4xA100',
      'A100-80GB',
      'A100-80GB',
      'H100',
      'T4',
      'none',
    ]);
  });

  it('emits the first token after TTFT and the rest every TPOT', async () => {
    const { clock, engine } = await readyEngine();
    const prompt = 'x'.repeat(400); // 100 prompt tokens
    const run = timed(engine, clock, request(prompt, 10));
    await clock.runAll();
    const { times, events } = await run;
    const p = engine.profile;
    const ttft = timeToFirstTokenMs(p, 100);
    expect(times[0]).toBeCloseTo(ttft, 6);
    for (let i = 1; i < 10; i++) expect(times[i] - times[i - 1]).toBeCloseTo(p.tpotMs, 6);
    expect(events.at(-1)).toEqual({ type: 'done', finishReason: 'length', usage: { promptTokens: 100, completionTokens: 10 } });
  });

  it('slows each token down as more sequences share the batch', async () => {
    const { clock, engine } = await readyEngine();
    const runs = [0, 1, 2].map((i) => timed(engine, clock, request(`prompt ${i}`, 5)));
    await clock.runAll();
    const results = await Promise.all(runs);
    const expected = timePerOutputTokenMs(engine.profile, 3);
    expect(expected).toBeGreaterThan(engine.profile.tpotMs);
    expect(results[0].times[1] - results[0].times[0]).toBeCloseTo(expected, 6);
  });

  it('decodes at most maxBatch sequences; the rest queue and start when a slot frees', async () => {
    const { clock, engine } = await readyEngine('T4', { maxBatch: 2 });
    const runs = [0, 1, 2].map((i) => timed(engine, clock, request(`p${i}`, 4)));
    await clock.advance(1);
    expect(engine.load()).toMatchObject({ running: 2, waiting: 1 });
    await clock.runAll();
    const [a, , c] = await Promise.all(runs);
    const firstDone = required(a.times.at(-1), 'the last token time of the first run');
    // The queued request's first token comes one TTFT after the first request finished.
    expect(c.times[0]).toBeCloseTo(firstDone + timeToFirstTokenMs(engine.profile, 1), 6);
    expect(engine.load()).toMatchObject({ running: 0, waiting: 0 });
  });

  it('answers the same prompt with the same text, a different one differently', async () => {
    const { clock, engine } = await readyEngine();
    const text = async (prompt: string) => {
      const run = timed(engine, clock, request(prompt, 100));
      await clock.runAll();
      return (await run).events.map((e) => (e.type === 'text' ? e.text : '')).join('');
    };
    const first = await text('hello');
    expect(await text('hello')).toBe(first);
    expect(await text('goodbye')).not.toBe(first);
  });

  it('frees the slot when a generation is aborted', async () => {
    const { clock, engine } = await readyEngine();
    const controller = new AbortController();
    const run = timed(engine, clock, request('abort me', 1000, controller.signal));
    await clock.advance(engine.profile.ttftBaseMs + 2 * engine.profile.tpotMs);
    expect(engine.load().running).toBe(1);
    controller.abort(new Error('client went away'));
    await expect(run).rejects.toThrow('client went away');
    expect(engine.load().running).toBe(0);
  });
});
