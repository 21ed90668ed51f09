// Azure Scheduled Events (IMDS): polled every pollMs with `Metadata: true`. A Preempt (spot
// eviction) or Terminate event naming this VM in `Resources` is handed to the drain logic once;
// the drain acknowledges it with POST {"StartRequests":[{"EventId":…}]} when done, which tells
// Azure it may proceed before NotBefore.
import type { Logger } from '../log.js';

export interface ScheduledEvent {
  EventId: string;
  EventType: string;
  ResourceType?: string;
  Resources: string[];
  EventStatus: string;
  /** RFC 1123 date ("Mon, 19 Sep 2016 18:29:47 GMT"), empty once the event has started. */
  NotBefore: string;
  Description?: string;
  EventSource?: string;
  DurationInSeconds?: number;
}

export interface ScheduledEventsDocument {
  DocumentIncarnation: number;
  Events: ScheduledEvent[];
}

/** Event types after which this VM is gone: drain for them. */
const DRAIN_EVENT_TYPES = new Set(['Preempt', 'Terminate']);

export class ScheduledEventsWatcher {
  private timer?: NodeJS.Timeout;
  private handled = new Set<string>();
  private failing = false;
  private stopped = false;

  constructor(
    private readonly opts: { url: string; pollMs: number; instanceName: string },
    private readonly onEviction: (event: ScheduledEvent) => void,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Tells Azure the VM is ready for the event (the eviction may go ahead now). */
  async acknowledge(eventId: string): Promise<void> {
    const res = await fetch(this.opts.url, {
      method: 'POST',
      headers: { Metadata: 'true', 'content-type': 'application/json' },
      body: JSON.stringify({ StartRequests: [{ EventId: eventId }] }),
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) throw new Error(`scheduled events acknowledge returned HTTP ${res.status}`);
    await res.body?.cancel();
  }

  /** One poll; exported for tests and for a check at startup. */
  async pollOnce(): Promise<void> {
    const res = await fetch(this.opts.url, {
      headers: { Metadata: 'true' },
      signal: AbortSignal.timeout(Math.max(1000, this.opts.pollMs * 2)),
    });
    if (!res.ok) throw new Error(`scheduled events returned HTTP ${res.status}`);
    const doc = (await res.json()) as ScheduledEventsDocument;
    for (const event of doc.Events ?? []) {
      if (!DRAIN_EVENT_TYPES.has(event.EventType) || this.handled.has(event.EventId)) continue;
      if (!(event.Resources ?? []).includes(this.opts.instanceName)) continue;
      this.handled.add(event.EventId);
      this.log.warn('eviction notice', {
        eventId: event.EventId,
        eventType: event.EventType,
        notBefore: event.NotBefore,
        source: event.EventSource,
      });
      this.onEviction(event);
    }
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.pollOnce()
        .then(() => {
          if (this.failing) this.log.info('scheduled events reachable again');
          this.failing = false;
        })
        .catch((e) => {
          if (!this.failing) this.log.warn('scheduled events poll failed; retrying', { url: this.opts.url, err: e });
          this.failing = true;
        })
        .finally(() => this.schedule(this.opts.pollMs));
    }, delay);
    this.timer.unref();
  }
}

/** Milliseconds from `now` until the drain must end: NotBefore less the margin. */
export function drainBudgetMs(event: ScheduledEvent, now: number, marginMs: number, defaultNoticeMs: number): number {
  const notBefore = event.NotBefore ? Date.parse(event.NotBefore) : NaN;
  const until = Number.isFinite(notBefore) ? notBefore - now : defaultNoticeMs;
  return Math.max(0, until - marginMs);
}
