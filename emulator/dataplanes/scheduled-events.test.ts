import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScheduledEvents, type ScheduledEvent, type ScheduledEventsService } from './scheduled-events.js';
import { seededRandom } from '../../testkit/fakes.js';
import { FakeClock } from '../../testkit/fake-clock.js';

const clock = new FakeClock(Date.parse('2025-05-05T10:00:00Z'));
let imds: ScheduledEventsService;

beforeAll(async () => {
  imds = createScheduledEvents({ now: clock.now, random: seededRandom(11) });
  await imds.start();
});

afterAll(async () => {
  await imds?.stop();
});

const withMetadata = { Metadata: 'true' };
const timeout = (): AbortSignal => AbortSignal.timeout(5000);

async function getDoc(vm: string): Promise<{ DocumentIncarnation: number; Events: ScheduledEvent[] }> {
  const res = await fetch(imds.urlFor(vm), { headers: withMetadata, signal: timeout() });
  expect(res.status).toBe(200);
  return (await res.json()) as { DocumentIncarnation: number; Events: ScheduledEvent[] };
}

function ack(vm: string, eventId: string, headers: Record<string, string> = withMetadata): Promise<Response> {
  return fetch(imds.urlFor(vm), {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ StartRequests: [{ EventId: eventId }] }),
    signal: timeout(),
  });
}

describe('IMDS Scheduled Events per VM', () => {
  it('requires the Metadata header and an api-version, as IMDS does', async () => {
    const noHeader = await fetch(imds.urlFor('vm-a'), { signal: timeout() });
    expect(noHeader.status).toBe(400);
    expect(await noHeader.json()).toEqual({ error: 'Bad request. Required metadata header not specified' });
    const noVersion = await fetch(`${imds.imdsBaseUrlFor('vm-a')}/metadata/scheduledevents`, { headers: withMetadata, signal: timeout() });
    expect(noVersion.status).toBe(400);
    expect(((await noVersion.json()) as { error: string }).error).toContain('api-version');
  });

  it('serves an empty document for a VM without events', async () => {
    expect(await getDoc('vm-quiet')).toEqual({ DocumentIncarnation: 0, Events: [] });
  });

  it('publishes a Preempt event in Azure document shape, per VM', async () => {
    const published = imds.publish('vm-a', { EventType: 'Preempt', NotBefore: clock.now() + 30_000 });
    const doc = await getDoc('vm-a');
    expect(doc.DocumentIncarnation).toBe(1);
    expect(doc.Events).toEqual([
      {
        EventId: published.EventId,
        EventStatus: 'Scheduled',
        EventType: 'Preempt',
        ResourceType: 'VirtualMachine',
        Resources: ['vm-a'],
        NotBefore: 'Mon, 05 May 2025 10:00:30 GMT',
        Description: expect.any(String),
        EventSource: 'Platform',
        DurationInSeconds: -1,
      },
    ]);
    expect(published.EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await getDoc('vm-b')).Events).toEqual([]);
  });

  it('acknowledges with StartRequests: event Started, callback fired, incarnation bumped', async () => {
    const event = imds.publish('vm-c', { EventType: 'Preempt' });
    const emitted: string[] = [];
    imds.events.on('acknowledged', (vm: string, e: ScheduledEvent) => emitted.push(`${vm}:${e.EventId}`));
    const waiting = imds.acknowledged('vm-c', event.EventId, timeout());
    expect((await ack('vm-c', event.EventId, {})).status).toBe(400); // no Metadata header
    const res = await ack('vm-c', event.EventId);
    expect(res.status).toBe(200);
    expect((await waiting).EventStatus).toBe('Started');
    expect(emitted).toContain(`vm-c:${event.EventId}`);
    const doc = await getDoc('vm-c');
    expect(doc.Events[0].EventStatus).toBe('Started');
    expect(doc.DocumentIncarnation).toBe(2);
  });

  it('refuses an unknown EventId or a malformed body', async () => {
    expect((await ack('vm-a', 'not-an-event')).status).toBe(400);
    const bad = await fetch(imds.urlFor('vm-a'), { method: 'POST', headers: withMetadata, body: '{"Start":1}', signal: timeout() });
    expect(bad.status).toBe(400);
  });

  it('drops completed events and rejects waiters that never got an acknowledgement', async () => {
    const event = imds.publish('vm-d', {});
    const waiting = imds.acknowledged('vm-d', event.EventId, timeout());
    imds.complete('vm-d', event.EventId);
    await expect(waiting).rejects.toThrow(/completed before/);
    expect(await getDoc('vm-d')).toEqual({ DocumentIncarnation: 2, Events: [] });
    imds.remove('vm-d');
    expect(await getDoc('vm-d')).toEqual({ DocumentIncarnation: 0, Events: [] });
  });
});
