// Spot eviction end to end: a real IMDS stand-in announces a Preempt; the agent is "draining" in
// the registry within 1 s, refuses new requests with 503 + Retry-After, lets in-flight requests
// finish, then acknowledges the event and leaves the registry.
import { Agent as HttpsAgent } from 'node:https';
import { CosmosClient } from '@azure/cosmos';
import { afterEach, describe, expect, it } from 'vitest';
import { required } from '../../lib/required.js';
import type { RegistryDoc } from '../../contracts/registry.js';
import { SimEngine } from '../engines/sim/sim-engine.js';
import { startTestAgent } from '../../testkit/agent.js';
import { preemptEvent, startImdsStub } from '../../testkit/imds-stub.js';
import { startLocalCosmos } from '../../testkit/cosmos.js';
import { testCert } from '../../testkit/tls.js';
import { waitFor } from '../../testkit/wait.js';
import { drainBudgetMs } from './scheduled-events.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Starts a streamed request and resolves once its first chunk arrived; `done` has the full text. */
async function startStream(url: string, headers: Record<string, string>, maxTokens: number) {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      model: 'phi3-mini',
      messages: [{ role: 'user', content: `in flight ${Math.random()}` }],
      max_tokens: maxTokens,
      stream: true,
    }),
  });
  const reader = required(res.body, 'the response body').getReader();
  const decoder = new TextDecoder();
  let text = decoder.decode((await reader.read()).value);
  const done = (async () => {
    for (;;) {
      const { value, done: end } = await reader.read();
      if (end) return { text, finishedAt: Date.now() };
      text += decoder.decode(value);
    }
  })();
  return { status: res.status, done };
}

describe('eviction', () => {
  it('drains on Preempt: registry draining < 1 s, new requests 503, in-flight complete, event acknowledged', async () => {
    const cert = testCert();
    const cosmos = await startLocalCosmos(cert);
    cleanups.push(() => cosmos.close());
    const imds = await startImdsStub();
    cleanups.push(() => imds.close());
    // 50 ms per token: 30 tokens take ~1.5 s, well inside the notice.
    const engine = new SimEngine({ model: 'phi3-mini', gpu: 'none', overrides: { tpotMs: 50 } });
    const t = await startTestAgent(
      {
        registry: { endpoint: cosmos.endpoint, key: 'k', heartbeatMs: 60_000, createIfMissing: true },
        scheduledEvents: { url: imds.url, marginMs: 1000 },
      },
      { engine, registryCa: cert.cert },
    );
    cleanups.push(() => t.stop());
    const container = new CosmosClient({
      endpoint: cosmos.endpoint,
      key: 'k',
      agent: new HttpsAgent({ ca: cert.cert }),
      connectionPolicy: { enableEndpointDiscovery: false },
    })
      .database('gpuarb')
      .container('registry');
    const state = async () => (await container.item('test-vm-0', 'phi').read<RegistryDoc>()).resource?.state;
    await waitFor('registry ready', async () => (await state()) === 'ready');

    const inFlight = await Promise.all([startStream(t.url, t.headers, 30), startStream(t.url, t.headers, 30)]);
    expect(inFlight.map((s) => s.status)).toEqual([200, 200]);

    imds.setEvents([preemptEvent('some-other-vm', 20_000, 'OTHER'), preemptEvent('test-vm-0', 20_000)]);
    const announced = imds.changedAt;
    await waitFor('registry draining', async () => (await state()) === 'draining', 3000, 5);
    expect(Date.now() - announced).toBeLessThan(1000);
    expect((await fetch(`${t.url}/health/ready`)).status).toBe(503);

    const refused = await fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: t.headers,
      body: JSON.stringify({ model: 'phi3-mini', messages: [{ role: 'user', content: 'new' }] }),
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');

    const finished = await Promise.all(inFlight.map((s) => s.done));
    for (const f of finished) expect(f.text).toMatch(/"finish_reason":"(length|stop)"[\s\S]*data: \[DONE\]\n\n$/);
    await waitFor('the event acknowledged', () => imds.acknowledged.includes('A123BC45-1234-5678-AB90-ABCDEF123456'), 5000);
    expect(imds.acknowledged).not.toContain('OTHER'); // another VM's event is not ours to acknowledge
    await waitFor('the registry entry removed', async () => (await state()) === undefined);
    expect(t.agent.metrics.evictions.get()).toBe(1);
    expect(t.lines.find((l) => l.msg === 'drained')).toBeTruthy();
  });

  it('acknowledges at the deadline (NotBefore less the margin) even if requests are still running', async () => {
    const imds = await startImdsStub();
    cleanups.push(() => imds.close());
    const engine = new SimEngine({ model: 'phi3-mini', gpu: 'none', overrides: { tpotMs: 1000 } }); // never finishes in time
    const t = await startTestAgent({ scheduledEvents: { url: imds.url, marginMs: 1000, pollMs: 100 } }, { engine });
    cleanups.push(() => t.stop());
    const slow = await startStream(t.url, t.headers, 1000);
    expect(slow.status).toBe(200);
    slow.done.catch(() => undefined); // cut off when the test stops the agent: expected
    imds.setEvents([preemptEvent('test-vm-0', 3000)]);
    await waitFor('the event acknowledged', () => imds.acknowledged.length === 1, 6000);
    expect(t.agent.lifecycle.inFlightCount()).toBe(1);
    expect(t.lines.find((l) => l.msg === 'drain deadline reached with requests in flight')).toBeTruthy();
  });

  it('computes the drain budget from NotBefore, the margin, or the default notice', () => {
    const now = Date.parse('Mon, 19 Sep 2016 18:29:00 GMT');
    const event = preemptEvent('vm', 0);
    expect(drainBudgetMs({ ...event, NotBefore: 'Mon, 19 Sep 2016 18:29:30 GMT' }, now, 2000, 30_000)).toBe(28_000);
    expect(drainBudgetMs({ ...event, NotBefore: '' }, now, 2000, 10_000)).toBe(8000);
    expect(drainBudgetMs({ ...event, NotBefore: 'Mon, 19 Sep 2016 18:28:00 GMT' }, now, 2000, 30_000)).toBe(0);
  });
});
