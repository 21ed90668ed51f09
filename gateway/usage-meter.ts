// Usage metering per customer, model and UTC day in the Cosmos `usage` container.
//
// Durability: a request's usage is written to Cosmos before the request counts as finished
// (graceful shutdown waits for it; see docs/gateway.md). Writes are group-committed: each
// counter document has at most one write in flight, every write first waits `lingerMs` for
// company, and every increment that arrives meanwhile rides in it (Cosmos patch `incr`, atomic
// on the server). So Cosmos load stays at one write per document per linger + round trip
// whatever the request rate, and a crash loses only the increments not yet acknowledged — those of requests still in flight.
import type { Container, PatchOperation } from '@azure/cosmos';
import { USAGE_COUNT_FIELDS as FIELDS, usageDocId, type UsageCounts, type UsageDoc } from '../contracts/documents.js';
import type { Logger } from './log.js';

interface Slot {
  id: string;
  customer: string;
  model: string;
  day: string;
  pending: UsageCounts | undefined;
  waiters: (() => void)[];
  writing: boolean;
}

export class UsageMeter {
  private readonly slots = new Map<string, Slot>();
  private outstanding = 0;
  private idle: (() => void)[] = [];
  // The current UTC day and its bounds: a Date and an ISO string per request cost more than the
  // rest of record() (perf profile at moderate load).
  private day = { start: 0, end: -1, name: '' };

  /**
   * @param lingerMs how long a write waits for company: at a trickle every request would cost its
   * own Cosmos write; a few milliseconds lets them share one. Those requests stay in flight
   * (unacknowledged) meanwhile, so the loss bound is unchanged.
   */
  constructor(
    private readonly container: Container,
    private readonly log: Logger,
    private readonly lingerMs = 20,
    private readonly now: () => number = Date.now,
  ) {}

  /** Adds to the customer's counters; resolves once Cosmos has them. Never rejects. */
  record(customer: string, model: string, delta: Partial<UsageCounts>): Promise<void> {
    const day = this.dayOf(this.now());
    // Slots are keyed by the raw parts (no encoding per request); the document id is made once per slot.
    const key = `${customer}\n${model}\n${day}`;
    let slot = this.slots.get(key);
    if (!slot) {
      slot = { id: usageDocId(customer, model, day), customer, model, day, pending: undefined, waiters: [], writing: false };
      this.slots.set(key, slot);
    }
    const p = pendingOf(slot);
    for (const f of FIELDS) p[f] += delta[f] ?? 0;
    this.outstanding++;
    const waiters = slot.waiters;
    const done = new Promise<void>((resolve) => waiters.push(resolve));
    if (!slot.writing) void this.drain(key, slot);
    return done;
  }

  private dayOf(t: number): string {
    if (t < this.day.start || t >= this.day.end) {
      const start = t - (t % 86_400_000);
      this.day = { start, end: start + 86_400_000, name: new Date(start).toISOString().slice(0, 10) };
    }
    return this.day.name;
  }

  /** Resolves when every recorded increment is in Cosmos (graceful shutdown). */
  flush(): Promise<void> {
    if (this.outstanding === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private async drain(key: string, slot: Slot): Promise<void> {
    slot.writing = true;
    let backoff = 100;
    while (slot.pending) {
      // Every write waits for company, not just the first: back-to-back writes under load would
      // cost a Cosmos write (RUs, and SDK CPU on the request path) per round trip.
      if (this.lingerMs > 0) await new Promise((r) => setTimeout(r, this.lingerMs));
      const delta = slot.pending;
      const waiters = slot.waiters;
      slot.pending = undefined;
      slot.waiters = [];
      try {
        await this.write(slot, delta);
        backoff = 100;
        for (const w of waiters) w();
        this.outstanding -= waiters.length;
      } catch (err) {
        // Keep the increments (merged with newer ones) and try again: usage is money.
        this.log.warn('usage write failed; retrying', { err, doc: slot.id });
        const p = pendingOf(slot);
        for (const f of FIELDS) p[f] += delta[f];
        slot.waiters = [...waiters, ...slot.waiters];
        await new Promise((r) => setTimeout(r, backoff).unref());
        backoff = Math.min(backoff * 2, 5_000);
      }
    }
    slot.writing = false;
    this.slots.delete(key);
    if (this.outstanding === 0) for (const r of this.idle.splice(0)) r();
  }

  private async write(slot: Slot, d: UsageCounts): Promise<void> {
    const id = slot.id;
    const ops: PatchOperation[] = FIELDS.filter((f) => d[f] !== 0).map((f) => ({ op: 'incr', path: `/${f}`, value: d[f] }));
    ops.push({ op: 'set', path: '/updatedAt', value: this.now() });
    const item = this.container.item(id, slot.customer);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await item.patch(ops);
        return;
      } catch (err) {
        if ((err as { code?: number }).code !== 404) throw err;
      }
      try {
        const doc: UsageDoc = { id, customer: slot.customer, model: slot.model, day: slot.day, ...d, updatedAt: this.now() };
        await this.container.items.create(doc);
        return;
      } catch (err) {
        // 409: another gateway created it between our patch and create: patch again.
        if ((err as { code?: number }).code !== 409) throw err;
      }
    }
    throw new Error(`usage document ${id} kept changing under us`);
  }
}

/** The slot's not-yet-written increments, started at zero when there are none. */
function pendingOf(slot: Slot): UsageCounts {
  slot.pending ??= { requests: 0, promptTokens: 0, completionTokens: 0, cacheHits: 0, errors: 0 };
  return slot.pending;
}
