// Which cache keys exist in Cosmos, known in memory, so that a cache miss does not cost a Cosmos
// round trip. A Bloom filter holds every key stored in the `cache` container within the last
// TTL: keys this gateway stores are added at once, keys other gateways store arrive by a sync
// that reads the ids written since the last one (server `_ts`, so no clocks need agree).
//
// The filter only ever answers "definitely absent" or "maybe present". "Absent" skips the Cosmos
// read and the request is a miss; "maybe" reads Cosmos as before. A wrong "absent" (a key another
// gateway wrote since the last sync) costs one agent call and re-stores the same kind of answer;
// it can never serve a wrong answer. Until the first sync has read every live key, and whenever
// syncs have failed for a while, the filter says "maybe" for everything.
//
// Expiry: two generations, each one TTL long; a key stays in the newer one or the older one for
// at least a TTL after it was seen, which is as long as its entry lives.
//
// Cost: on Azure the sync query is served from the `_ts` range index, so it costs a few RU and
// milliseconds whatever the container holds. The local Cosmos server has no index and scans every
// entry (a sync took about 70 ms at 4,000 entries on this project's 2-core machine, all of it
// CPU), so each sync waits at least SYNC_COST_FACTOR times as long as the last one took: a store
// that answers slowly is asked less often, syncing takes about 2 % of the time at most, and the
// wait never grows so long that the filter would go stale (then syncs stay a third of that apart).
import { createHash } from 'node:crypto';
import type { Container } from '@azure/cosmos';
import type { Logger } from './log.js';

export class BloomFilter {
  private readonly bits: Uint32Array;
  private readonly size: number;
  readonly hashes: number;

  /** Sized for `expectedEntries` at false-positive rate `fpRate`. */
  constructor(expectedEntries: number, fpRate = 0.01) {
    const n = Math.max(1, expectedEntries);
    this.size = Math.max(64, Math.ceil((-n * Math.log(fpRate)) / Math.LN2 ** 2));
    this.hashes = Math.min(16, Math.max(1, Math.round((this.size / n) * Math.LN2)));
    this.bits = new Uint32Array(Math.ceil(this.size / 32));
  }

  add(key: string): void {
    const [a, b] = seeds(key);
    for (let i = 0; i < this.hashes; i++) {
      const bit = (a + i * b) % this.size;
      this.bits[bit >>> 5] |= 1 << (bit & 31);
    }
  }

  has(key: string): boolean {
    const [a, b] = seeds(key);
    for (let i = 0; i < this.hashes; i++) {
      const bit = (a + i * b) % this.size;
      if ((this.bits[bit >>> 5] & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }

  get bytes(): number {
    return this.bits.byteLength;
  }
}

const HEX_KEY = /^[0-9a-f]{16}/;

/** Two independent 32-bit values from a key (Kirsch–Mitzenmacher double hashing). */
function seeds(key: string): [number, number] {
  // Cache keys are SHA-256 hex already: their first 16 digits are as good as any hash of them.
  const hex = HEX_KEY.test(key) ? key : createHash('sha256').update(key).digest('hex');
  const a = parseInt(hex.slice(0, 8), 16);
  const b = (parseInt(hex.slice(8, 16), 16) | 1) >>> 0; // odd (steps never collapse onto one bit), and unsigned again after `|`
  return [a, b];
}

export interface CachePresenceOptions {
  ttlSeconds: number;
  /** Keys expected per TTL window; beyond it the filter answers "maybe" more often (never wrongly "absent"). */
  expectedEntries: number;
  syncMs: number;
  now?: () => number;
}

/** Ids re-read before the newest `_ts` seen: writes in the same second, and replication lag. */
const SYNC_OVERLAP_SECONDS = 2;
/** A sync waits at least this many times its predecessor's duration. */
export const SYNC_COST_FACTOR = 50;

/** Without a successful sync for this long, the filter stops answering "absent". */
export function staleAfterMs(syncMs: number): number {
  return Math.max(10 * syncMs, 30_000);
}

/** When the next sync is due: every `syncMs`, spaced out when syncs are slow, never so late that the filter goes stale. */
export function nextSyncDelay(syncMs: number, lastSyncDurationMs: number): number {
  return Math.min(Math.max(syncMs, SYNC_COST_FACTOR * lastSyncDurationMs), staleAfterMs(syncMs) / 3);
}

export class CachePresence {
  private current: BloomFilter;
  private previous: BloomFilter | undefined;
  private rotatedAt: number;
  /** Newest server `_ts` (seconds) read so far; undefined until the first full sync. */
  private syncedTs: number | undefined;
  /** When (local clock) `syncedTs` last moved. */
  private syncedTsAt = 0;
  /** Every id up to `syncedTs` has been read by a sync begun after that second was over (see readNewIds). */
  private settled = false;
  private lastSyncAt = 0;
  /** Ids the last sync read (for tests and debugging: a quiet container should cost next to nothing). */
  lastSyncRead = 0;
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private running: Promise<void> | undefined;
  private readonly now: () => number;

  constructor(
    private readonly container: Container,
    private readonly opts: CachePresenceOptions,
    private readonly log: Logger,
  ) {
    this.now = opts.now ?? Date.now;
    this.current = new BloomFilter(opts.expectedEntries);
    this.rotatedAt = this.now();
  }

  /** Starts syncing now and then every `syncMs` (or later: nextSyncDelay). */
  start(): void {
    if (this.started) return;
    this.started = true;
    const loop = async () => {
      const t = performance.now();
      await this.sync();
      if (!this.started) return;
      this.timer = setTimeout(loop, nextSyncDelay(this.opts.syncMs, performance.now() - t));
      this.timer.unref();
    };
    void loop();
  }

  async stop(): Promise<void> {
    this.started = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** True once every live key has been read and the last sync is recent. */
  warm(): boolean {
    return this.syncedTs !== undefined && this.now() - this.lastSyncAt <= staleAfterMs(this.opts.syncMs);
  }

  add(key: string): void {
    this.rotateIfDue();
    this.current.add(key);
  }

  /** True only when `key` is certainly not in the cache container (as of the last sync). */
  definitelyAbsent(key: string): boolean {
    if (!this.warm()) return false;
    this.rotateIfDue();
    return !this.current.has(key) && !(this.previous?.has(key) ?? false);
  }

  /** Reads the ids written since the last sync (the first one: every live entry). One at a time. */
  sync(): Promise<void> {
    this.running ??= this.readNewIds()
      .catch((err) => this.log.warn('cache presence sync failed; lookups read Cosmos until it recovers', { err }))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /**
   * Re-reading the last SYNC_OVERLAP_SECONDS before the newest `_ts` catches entries written in
   * that same second, or visible late, after the previous sync. Once a sync that began more than
   * that overlap plus a second after the newest `_ts` was first seen has re-read it (server time
   * has moved past it by then, whatever the clocks' offset: only elapsed time is compared), nothing
   * more can appear at or before it, and later syncs ask only for newer entries. Without that, a
   * burst of writes followed by quiet would be read again by every sync, forever.
   */
  private async readNewIds(): Promise<void> {
    const startedAt = this.now();
    const known = this.syncedTs;
    const since =
      known === undefined
        ? Math.floor(startedAt / 1000) - this.opts.ttlSeconds - 60 - SYNC_OVERLAP_SECONDS
        : this.settled
          ? known + 1
          : known - SYNC_OVERLAP_SECONDS;
    const query = { query: 'SELECT c.id, c._ts FROM c WHERE c._ts >= @since', parameters: [{ name: '@since', value: since }] };
    // Big pages: an id is ~90 bytes, and the local Cosmos server scans the whole container per page.
    const pages = this.container.items.query<{ id: string; _ts: number }>(query, { maxItemCount: 10_000 });
    let newest = known ?? since;
    let read = 0;
    while (pages.hasMoreResults()) {
      const { resources } = await pages.fetchNext();
      read += resources.length;
      for (const r of resources) {
        this.add(r.id);
        if (r._ts > newest) newest = r._ts;
      }
    }
    this.lastSyncRead = read;
    if (known === undefined || newest > known) {
      this.syncedTs = newest;
      this.syncedTsAt = this.now();
      this.settled = false;
    } else if (startedAt - this.syncedTsAt >= (SYNC_OVERLAP_SECONDS + 1) * 1000) {
      this.settled = true;
    }
    this.lastSyncAt = this.now();
  }

  private rotateIfDue(): void {
    const t = this.now();
    if (t - this.rotatedAt < this.opts.ttlSeconds * 1000) return;
    // Two windows passed with no traffic: the older generation is gone too.
    this.previous = t - this.rotatedAt < 2 * this.opts.ttlSeconds * 1000 ? this.current : undefined;
    this.current = new BloomFilter(this.opts.expectedEntries);
    this.rotatedAt = t;
  }
}
