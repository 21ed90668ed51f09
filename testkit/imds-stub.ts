// A tiny real HTTP stand-in for the IMDS Scheduled Events endpoint: serves whatever events the
// test sets (only with `Metadata: true`, as IMDS insists) and records acknowledgements.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ScheduledEvent } from '../fleet-agent/eviction/scheduled-events.js';

export interface ImdsStub {
  url: string;
  setEvents(events: ScheduledEvent[]): void;
  /** EventIds POSTed in StartRequests, in order. */
  acknowledged: string[];
  /** When the events were last changed (epoch ms). */
  changedAt: number;
  close(): Promise<void>;
}

export async function startImdsStub(): Promise<ImdsStub> {
  let incarnation = 1;
  let events: ScheduledEvent[] = [];
  const stub = {} as ImdsStub;
  stub.acknowledged = [];
  stub.changedAt = Date.now();
  const server = createServer((req, res) => {
    if (req.headers.metadata !== 'true') {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"Bad request. Required metadata header not specified"}');
      return;
    }
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ DocumentIncarnation: incarnation, Events: events }));
      return;
    }
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      const parsed = JSON.parse(body) as { StartRequests?: { EventId: string }[] };
      for (const r of parsed.StartRequests ?? []) {
        stub.acknowledged.push(r.EventId);
        events = events.filter((e) => e.EventId !== r.EventId);
        incarnation++;
      }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  stub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metadata/scheduledevents?api-version=2020-07-01`;
  stub.setEvents = (next) => {
    events = next;
    incarnation++;
    stub.changedAt = Date.now();
  };
  stub.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return stub;
}

/** A Preempt event for `instance` with NotBefore `noticeMs` from now (RFC 1123, as Azure sends). */
export function preemptEvent(instance: string, noticeMs: number, id = 'A123BC45-1234-5678-AB90-ABCDEF123456'): ScheduledEvent {
  return {
    EventId: id,
    EventType: 'Preempt',
    ResourceType: 'VirtualMachine',
    Resources: [instance],
    EventStatus: 'Scheduled',
    NotBefore: new Date(Date.now() + noticeMs).toUTCString(),
    Description: 'Virtual machine is being evicted.',
    EventSource: 'Platform',
    DurationInSeconds: -1,
  };
}
