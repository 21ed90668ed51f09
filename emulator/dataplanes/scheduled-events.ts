// IMDS Scheduled Events per VM instance. Real IMDS is plain HTTP on 169.254.169.254 inside each
// VM; the local cloud serves every instance from one loopback HTTP listener, one path prefix per
// VM: `http://127.0.0.1:P/vm/<vmName>` stands in for `http://169.254.169.254`, so the agent
// GETs `<base>/metadata/scheduledevents?api-version=2020-07-01` with `Metadata: true`, exactly
// as in Azure, and POSTs `{"StartRequests":[{"EventId":…}]}` to acknowledge.
import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ScheduledEventsDeps } from './deps.js';
import { guid, readJson, sendJson } from './http-util.js';

/** One entry of the Scheduled Events document, as IMDS api-version 2020-07-01 returns it. */
export interface ScheduledEvent {
  EventId: string;
  EventStatus: 'Scheduled' | 'Started';
  EventType: 'Preempt' | 'Terminate' | 'Reboot' | 'Redeploy' | 'Freeze';
  ResourceType: 'VirtualMachine';
  Resources: string[];
  /** RFC 1123, e.g. "Mon, 19 Sep 2016 18:29:47 GMT". */
  NotBefore: string;
  Description: string;
  EventSource: 'Platform' | 'User';
  DurationInSeconds: number;
}

/** What `publish` needs: the rest gets Azure's defaults (Preempt notice = 30 s). */
export type ScheduledEventInput = Partial<Omit<ScheduledEvent, 'NotBefore'>> & { NotBefore?: string | Date | number };

export interface ScheduledEventsService {
  /** Listens on a free loopback port; `url` is the listener's origin. */
  start(): Promise<{ url: string }>;
  stop(): Promise<void>;
  /** Replaces `http://169.254.169.254` for this VM (IMDS base URL). */
  imdsBaseUrlFor(vmName: string): string;
  /** The VM's full Scheduled Events URL, api-version included. */
  urlFor(vmName: string): string;
  /** Adds an event to the VM's document (the core's eviction code calls this). */
  publish(vmName: string, event: ScheduledEventInput): ScheduledEvent;
  /** Resolves when the VM acknowledges the event; rejects if it completes first or `signal` aborts. */
  acknowledged(vmName: string, eventId: string, signal?: AbortSignal): Promise<ScheduledEvent>;
  /** 'acknowledged' (vmName, event) on every StartRequests acknowledgement. */
  readonly events: EventEmitter;
  /** The event has happened (VM evicted/rebooted): drop it from the document. */
  complete(vmName: string, eventId: string): void;
  /** The VM is gone: forget its document. */
  remove(vmName: string): void;
  /** The VM's current document (what a GET would return). */
  document(vmName: string): { DocumentIncarnation: number; Events: ScheduledEvent[] };
}

const SCHEDULED_EVENTS_API_VERSION = '2020-07-01';
const SUPPORTED_VERSIONS = ['2017-03-01', '2017-08-01', '2017-11-01', '2019-01-01', '2019-08-01', '2020-07-01'];
const PATH = /^\/vm\/([^/]+)\/metadata\/scheduledevents\/?$/;

interface VmDocument {
  incarnation: number;
  events: ScheduledEvent[];
}

interface Waiter {
  resolve(e: ScheduledEvent): void;
  reject(err: Error): void;
}

export function createScheduledEvents(deps: ScheduledEventsDeps): ScheduledEventsService {
  const host = deps.host ?? '127.0.0.1';
  const docs = new Map<string, VmDocument>();
  const waiters = new Map<string, Waiter[]>();
  const events = new EventEmitter();
  let server: http.Server | undefined;
  let origin: string | undefined;

  const doc = (vm: string): VmDocument => {
    let d = docs.get(vm);
    if (!d) {
      d = { incarnation: 0, events: [] };
      docs.set(vm, d);
    }
    return d;
  };
  const waitKey = (vm: string, id: string): string => `${vm}\u0000${id}`;
  const settle = (vm: string, id: string, outcome: ScheduledEvent | Error): void => {
    const list = waiters.get(waitKey(vm, id)) ?? [];
    waiters.delete(waitKey(vm, id));
    for (const w of list) outcome instanceof Error ? w.reject(outcome) : w.resolve(outcome);
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://imds.local');
    const match = PATH.exec(url.pathname);
    if (!match) return sendJson(res, 404, { error: 'Not found' });
    if (req.headers.metadata?.toString().toLowerCase() !== 'true') {
      return sendJson(res, 400, { error: 'Bad request. Required metadata header not specified' });
    }
    const version = url.searchParams.get('api-version');
    if (!version || !SUPPORTED_VERSIONS.includes(version)) {
      return sendJson(res, 400, {
        error: `Bad request. api-version ${version ? 'is invalid' : 'was not specified in the request'}. For more information refer to aka.ms/azureimds`,
        'newest-versions': [...SUPPORTED_VERSIONS].reverse().slice(0, 3),
      });
    }
    const vm = decodeURIComponent(match[1]);
    const d = doc(vm);
    if (req.method === 'GET') return sendJson(res, 200, { DocumentIncarnation: d.incarnation, Events: d.events });
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'Method not allowed' });
    let body: unknown;
    try {
      body = await readJson(req);
    } catch {
      return sendJson(res, 400, { error: 'Bad request. The request body is not valid JSON' });
    }
    const starts = (body as { StartRequests?: unknown } | undefined)?.StartRequests;
    if (!Array.isArray(starts) || starts.some((s) => typeof (s as { EventId?: unknown })?.EventId !== 'string')) {
      return sendJson(res, 400, { error: 'Bad request. Expected {"StartRequests":[{"EventId":"…"}]}' });
    }
    const ids = starts.map((s) => (s as { EventId: string }).EventId);
    const matched = ids.map((id) => ({ id, event: d.events.find((e) => e.EventId === id) }));
    const unknown = matched.filter((m) => !m.event).map((m) => m.id);
    if (unknown.length > 0) return sendJson(res, 400, { error: `Bad request. Unknown EventId: ${unknown.join(', ')}` });
    for (const { id, event } of matched) {
      // Every event was found above; an id listed twice is acknowledged once.
      if (!event || event.EventStatus === 'Started') continue;
      event.EventStatus = 'Started';
      d.incarnation++;
      events.emit('acknowledged', vm, { ...event });
      settle(vm, id, { ...event });
    }
    return sendJson(res, 200, undefined);
  }

  const service: ScheduledEventsService = {
    events,
    async start() {
      if (origin) return { url: origin };
      const s = http.createServer((req, res) => {
        handle(req, res).catch((err: unknown) => sendJson(res, 500, { error: `Internal error: ${String(err)}` }));
      });
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(0, host, () => resolve());
      });
      server = s;
      origin = `http://${host}:${(s.address() as AddressInfo).port}`;
      return { url: origin };
    },
    async stop() {
      const s = server;
      server = undefined;
      origin = undefined;
      if (!s) return;
      s.closeAllConnections(); // agents poll every second on keep-alive sockets
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    imdsBaseUrlFor(vmName) {
      if (!origin) throw new Error('scheduled events server is not started');
      return `${origin}/vm/${encodeURIComponent(vmName)}`;
    },
    urlFor(vmName) {
      return `${service.imdsBaseUrlFor(vmName)}/metadata/scheduledevents?api-version=${SCHEDULED_EVENTS_API_VERSION}`;
    },
    publish(vmName, input) {
      const notBefore = input.NotBefore ?? deps.now() + 30_000;
      const event: ScheduledEvent = {
        EventId: input.EventId ?? guid(deps.random),
        EventStatus: input.EventStatus ?? 'Scheduled',
        EventType: input.EventType ?? 'Preempt',
        ResourceType: 'VirtualMachine',
        Resources: input.Resources ?? [vmName],
        NotBefore: typeof notBefore === 'string' ? notBefore : new Date(notBefore).toUTCString(),
        Description: input.Description ?? 'Virtual machine is being preempted.',
        EventSource: input.EventSource ?? 'Platform',
        DurationInSeconds: input.DurationInSeconds ?? -1,
      };
      const d = doc(vmName);
      d.events.push(event);
      d.incarnation++;
      return { ...event };
    },
    acknowledged(vmName, eventId, signal) {
      const event = docs.get(vmName)?.events.find((e) => e.EventId === eventId);
      if (!event) return Promise.reject(new Error(`no scheduled event ${eventId} for ${vmName}`));
      if (event.EventStatus === 'Started') return Promise.resolve({ ...event });
      return new Promise<ScheduledEvent>((resolve, reject) => {
        const key = waitKey(vmName, eventId);
        const onAbort = (): void => {
          waiters.set(
            key,
            (waiters.get(key) ?? []).filter((w) => w !== waiter),
          );
          reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
        };
        const waiter: Waiter = {
          resolve: (e) => {
            signal?.removeEventListener('abort', onAbort);
            resolve(e);
          },
          reject: (err) => {
            signal?.removeEventListener('abort', onAbort);
            reject(err);
          },
        };
        if (signal?.aborted) return onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        waiters.set(key, [...(waiters.get(key) ?? []), waiter]);
      });
    },
    complete(vmName, eventId) {
      const d = docs.get(vmName);
      if (!d) return;
      const before = d.events.length;
      d.events = d.events.filter((e) => e.EventId !== eventId);
      if (d.events.length !== before) d.incarnation++;
      settle(vmName, eventId, new Error(`scheduled event ${eventId} for ${vmName} completed before it was acknowledged`));
    },
    remove(vmName) {
      for (const e of docs.get(vmName)?.events ?? []) settle(vmName, e.EventId, new Error(`${vmName} was removed`));
      docs.delete(vmName);
    },
    document(vmName) {
      const d = docs.get(vmName) ?? { incarnation: 0, events: [] };
      return { DocumentIncarnation: d.incarnation, Events: d.events.map((e) => ({ ...e })) };
    },
  };
  return service;
}
