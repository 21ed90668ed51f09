// The meter against a real Cosmos server: totals are exact, writes are grouped (one per linger
// window per counter document, not one per request or per round trip), and flush() resolves
// only once everything recorded is in Cosmos.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Container } from '@azure/cosmos';
import { startTestCosmos, type TestCosmos } from '../testkit/cosmos.js';
import { usageDocId, type UsageDoc } from '../contracts/documents.js';
import { UsageMeter } from './usage-meter.js';
import { silentLogger } from './log.js';
import { CONTAINERS } from '../contracts/cosmos-containers.js';

let cosmos: TestCosmos;
let usage: Container;

beforeAll(async () => {
  cosmos = await startTestCosmos();
  usage = cosmos.client.database(cosmos.database).container(CONTAINERS.usage.id);
}, 60_000);
afterAll(async () => {
  await cosmos?.stop();
});

/** The real container, with its item writes counted (every meter write goes through item() or items.create). */
function counted(container: Container): { container: Container; writes: () => number } {
  let writes = 0;
  const wrapped = new Proxy(container, {
    get(target, prop, receiver) {
      if (prop === 'item')
        return (...args: Parameters<Container['item']>) => {
          writes++;
          return target.item(...args);
        };
      return Reflect.get(target, prop, receiver);
    },
  });
  return { container: wrapped, writes: () => writes };
}

describe('UsageMeter', () => {
  it('groups a burst of requests into a few writes and loses none of them', async () => {
    const lingerMs = 50;
    const { container, writes } = counted(usage);
    const meter = new UsageMeter(container, silentLogger, lingerMs);
    const started = Date.now();
    const acks: Promise<void>[] = [];
    // 400 requests over ~400 ms: without grouping this would be 400 writes.
    for (let i = 0; i < 40; i++) {
      for (let j = 0; j < 10; j++) acks.push(meter.record('burst-co', 'phi3-mini', { requests: 1, promptTokens: 3, completionTokens: 5 }));
      await new Promise((r) => setTimeout(r, 10));
    }
    await Promise.all(acks);
    await meter.flush();
    const elapsed = Date.now() - started;
    // At most one write per linger window (plus the first and last).
    expect(writes()).toBeLessThanOrEqual(Math.ceil(elapsed / lingerMs) + 2);
    expect(writes()).toBeGreaterThan(0);
    const day = new Date().toISOString().slice(0, 10);
    const { resource } = await usage.item(usageDocId('burst-co', 'phi3-mini', day), 'burst-co').read<UsageDoc>();
    expect(resource).toMatchObject({ requests: 400, promptTokens: 1200, completionTokens: 2000 });
  }, 30_000);

  it('counts each request in the UTC day it was recorded on, across midnight', async () => {
    const midnight = Date.UTC(2026, 10, 28);
    let clock = midnight - 1;
    const meter = new UsageMeter(usage, silentLogger, 20, () => clock);
    const before = meter.record('midnight-co', 'phi3-mini', { requests: 1 });
    clock = midnight;
    const after = [meter.record('midnight-co', 'phi3-mini', { requests: 1 }), meter.record('midnight-co', 'phi3-mini', { requests: 1 })];
    clock = midnight - 2; // a clock stepped back lands in the earlier day again
    await Promise.all([before, ...after, meter.record('midnight-co', 'phi3-mini', { requests: 1 })]);
    const read = async (day: string) =>
      (await usage.item(usageDocId('midnight-co', 'phi3-mini', day), 'midnight-co').read<UsageDoc>()).resource?.requests;
    expect(await read('2026-11-27')).toBe(2);
    expect(await read('2026-11-28')).toBe(2);
  });

  it('acknowledges a request only once its increment is in Cosmos', async () => {
    const meter = new UsageMeter(usage, silentLogger, 20);
    const day = new Date().toISOString().slice(0, 10);
    await meter.record('ack-co', 'phi3-mini', { requests: 1, errors: 1 });
    const { resource } = await usage.item(usageDocId('ack-co', 'phi3-mini', day), 'ack-co').read<UsageDoc>();
    expect(resource).toMatchObject({ requests: 1, errors: 1 });
  });
});
