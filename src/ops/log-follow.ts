// `gpuarb logs --follow`: Log Analytics shows a row 20 s – 3 min after it was written, and not in
// timestamp order. A tail that asked only for rows newer than the last one shown would skip every
// late row; one that re-read a fixed window would show rows twice. So each poll re-reads an
// OVERLAP window behind the time of the previous poll, and rows already shown are dropped by
// content (with counts, so two identical lines in the same millisecond both show).
//
// Guarantee: every row whose ingestion lag is at most `overlapMs` is shown exactly once.
// Proof sketch: a row written at t that was not visible at the previous poll p' has t > p' - lag
// >= p' - overlap, and the next query starts at p' - overlap. Memory stays bounded: entries older
// than any future query's lower bound are forgotten.
import type { Clock } from '../../lib/clock.js';
import { rowKey, type LogRow } from '../../contracts/log-schema.js';

export interface FollowOptions {
  /** Earliest time to show (now - --since), epoch ms. */
  start: number;
  /** How far behind the previous poll each query reaches; at least the ingestion lag. */
  overlapMs: number;
  /** Rows per query; a full page means there is more, fetched at once. */
  pageSize: number;
}

export class LogFollower {
  private lowerBound: number;
  private readonly seen = new Map<string, { count: number; time: number }>();

  constructor(private readonly opts: FollowOptions) {
    this.lowerBound = opts.start;
  }

  /** Lower bound (inclusive) for the next query. */
  get from(): number {
    return this.lowerBound;
  }

  /** How many rows are remembered for de-duplication (bounded by rate × overlap). */
  get remembered(): number {
    return this.seen.size;
  }

  /**
   * Takes the rows a query issued at `polledAt` (by the caller's clock, taken BEFORE the query)
   * returned, and answers the ones not shown before, oldest first, and whether to poll again at
   * once (the page was full).
   */
  accept(rows: LogRow[], polledAt: number): { fresh: LogRow[]; more: boolean } {
    const counts = new Map<string, { count: number; row: LogRow }>();
    for (const r of rows) {
      const k = rowKey(r);
      const c = counts.get(k);
      if (c) c.count++;
      else counts.set(k, { count: 1, row: r });
    }
    const fresh: LogRow[] = [];
    for (const [k, { count, row }] of counts) {
      const before = this.seen.get(k)?.count ?? 0;
      for (let i = before; i < count; i++) fresh.push(row);
      if (count > before) this.seen.set(k, { count, time: row.time });
    }
    fresh.sort((a, b) => a.time - b.time);

    // A full page whose rows all share the current lower bound cannot be continued from (more
    // rows at one millisecond than a page): treat it as complete rather than loop forever.
    const last = rows.length ? rows[rows.length - 1].time : this.lowerBound;
    const more = rows.length >= this.opts.pageSize && last > this.lowerBound;
    const windowStart = Math.max(this.opts.start, polledAt - this.opts.overlapMs);
    // A full page stops at its last row: continue from there (rows at that very time are
    // de-duplicated); otherwise everything up to polledAt is read and the overlap window starts.
    this.lowerBound = more ? last : windowStart;
    const forgetBefore = Math.min(this.lowerBound, windowStart);
    for (const [k, v] of this.seen) if (v.time < forgetBefore) this.seen.delete(k);
    return { fresh, more };
  }
}

export interface FollowLoopDeps {
  clock: Clock;
  signal: AbortSignal;
  /** One query: rows with time >= from, oldest first, at most pageSize. */
  query(from: number): Promise<LogRow[]>;
  onRows(rows: LogRow[]): void;
  /** A failed poll: return true to keep following (transient), false to stop with the error. */
  onError?(err: unknown): boolean;
  intervalMs: number;
}

/** Polls until `signal` aborts; resolves (never rejects) on abort, so Ctrl-C ends cleanly. */
export async function followLoop(follower: LogFollower, deps: FollowLoopDeps): Promise<void> {
  while (!deps.signal.aborted) {
    const polledAt = deps.clock.now();
    let more = false;
    try {
      const rows = await deps.query(follower.from);
      if (deps.signal.aborted) return;
      const r = follower.accept(rows, polledAt);
      more = r.more;
      if (r.fresh.length) deps.onRows(r.fresh);
    } catch (err) {
      if (deps.signal.aborted) return;
      if (!deps.onError?.(err)) throw err;
    }
    if (more) continue;
    try {
      await deps.clock.sleep(deps.intervalMs, deps.signal);
    } catch {
      return; // aborted while waiting
    }
  }
}
