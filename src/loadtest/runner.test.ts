// The generator against a real HTTP peer: open-loop latency includes a server stall for every
// request scheduled during it (no coordinated omission), the closed loop keeps C in flight, and
// failures are counted by class.
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { builtinWorkload, type WorkloadSource } from './builtin-workload.js';
import { createSender } from './http-client.js';
import { Recorder } from './recorder.js';
import { buildReport } from './report.js';
import { createRng } from './rng.js';
import { startLoad } from './runner.js';
import type { Arrival } from './types.js';
import { startOpenAiPeer, type OpenAiPeer } from '../../testkit/openai-peer.js';
import { required } from '../../lib/required.js';

let peer: OpenAiPeer | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

async function run(
  p: OpenAiPeer,
  arrival: Arrival,
  durationMs: number,
  opts: { workload?: WorkloadSource; timeoutMs?: number; key?: string } = {},
) {
  const t0 = performance.now();
  const now = () => performance.now() - t0;
  const sender = createSender({ baseUrl: p.baseUrl, key: opts.key ?? 'k' }, { timeoutMs: opts.timeoutMs ?? 10_000, maxSockets: 64, now });
  const recorder = new Recorder();
  const workload = opts.workload ?? builtinWorkload({ mix: [['phi3-mini', 1]], repeatShare: 0.5, seed: 3, stream: false });
  const load = startLoad({ arrival, durationMs, workload, sender, recorder, rng: createRng(3), now, signal: new AbortController().signal });
  await load.done;
  sender.close();
  return buildReport({
    target: p.baseUrl,
    arrival,
    durationSec: durationMs / 1000,
    workload: 'test',
    stream: false,
    seed: 3,
    recorder,
    events: [],
    objectives: null,
  });
}

/** Calls `hook` when the n-th request is generated: a trigger tied to the load, not to a timer. */
function onRequest(w: WorkloadSource, n: number, hook: () => void): WorkloadSource {
  let i = 0;
  return {
    models: w.models,
    next: () => {
      i += 1;
      if (i === n) hook();
      return w.next();
    },
  };
}

describe('open loop', () => {
  it('shows a 1 s server stall in the latencies of the requests scheduled during it', async () => {
    peer = await startOpenAiPeer({ key: 'k', latencyMs: 2 });
    const p = peer;
    const base = builtinWorkload({ mix: [['phi3-mini', 1]], repeatShare: 0, seed: 3, stream: false });
    // 40 req/s for 2.5 s; the 30th request (≈0.75 s in) starts a 1 s stall of the server.
    const r = await run(p, { kind: 'open', rate: 40 }, 2500, { workload: onRequest(base, 30, () => p.stall(1000)) });
    expect(r.overall.failed).toBe(0);
    expect(r.overall.requests).toBeGreaterThan(60);
    // ≈40% of the requests were scheduled inside the stall window; a closed loop would have
    // sent only one of them and reported a low p99.
    const latencyMs = required(r.overall.latencyMs, 'the latency percentiles');
    expect(latencyMs.p99).toBeGreaterThanOrEqual(900);
    expect(latencyMs.p90).toBeGreaterThanOrEqual(300);
    expect(latencyMs.p50).toBeLessThan(900);
  });

  it('counts HTTP failures by class and code, and availability by second', async () => {
    peer = await startOpenAiPeer({ key: 'k' });
    peer.failNext(3, 503);
    const r = await run(peer, { kind: 'open', rate: 30 }, 1500);
    expect(r.overall.errors.byClass.http5xx).toBe(3);
    expect(r.overall.errors.byKey).toEqual([expect.objectContaining({ key: 'http_503', class: 'http5xx', count: 3 })]);
    expect(r.overall.availability).toBeLessThan(1);
    expect(r.overall.errorRate).toBeCloseTo(3 / r.overall.requests, 5);
  });

  it('counts a rejected key as http 4xx and a request past its timeout as a timeout', async () => {
    peer = await startOpenAiPeer({ key: 'k' });
    const rejected = await run(peer, { kind: 'open', rate: 20 }, 500, { key: 'wrong' });
    expect(rejected.overall.errors.byKey[0]).toMatchObject({ key: 'http_401', class: 'http4xx' });
    peer.setLatency(5_000);
    const slow = await run(peer, { kind: 'open', rate: 10 }, 500, { timeoutMs: 300 });
    expect(slow.overall.errors.byClass.timeout).toBe(slow.overall.requests);
  });
});

describe('streams', () => {
  it('measures TTFT and counts a stream cut mid-answer as stream broken', async () => {
    peer = await startOpenAiPeer({ key: 'k', latencyMs: 5, tokens: 8 });
    peer.breakNextStreams(2);
    const workload = builtinWorkload({ mix: [['phi3-mini', 1]], repeatShare: 0, seed: 3, stream: true });
    const r = await run(peer, { kind: 'open', rate: 30 }, 1000, { workload });
    expect(r.overall.errors.byClass.streamBroken).toBe(2);
    expect(r.overall.ok).toBe(r.overall.requests - 2);
    expect(required(r.overall.ttftMs, 'the TTFT percentiles').p50).toBeGreaterThanOrEqual(4);
    expect(r.perModel['phi3-mini'].tokensPerSec).toBeGreaterThan(0);
  });
});

describe('closed loop', () => {
  it('keeps C requests in flight and reads the cache header', async () => {
    peer = await startOpenAiPeer({ key: 'k', latencyMs: 10 });
    const r = await run(peer, { kind: 'closed', concurrency: 4 }, 1000);
    // 4 workers × ~10 ms per request for 1 s: well over 100 requests, and never more than 4 at once.
    expect(r.overall.requests).toBeGreaterThan(100);
    expect(r.overall.failed).toBe(0);
    expect(r.overall.cache.hit + r.overall.cache.miss).toBe(r.overall.requests);
    expect(r.overall.cache.hitRate).toBeGreaterThan(0.3);
  });
});
