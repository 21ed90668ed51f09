import { describe, expect, it } from 'vitest';
import type { Clock } from '../../lib/clock.js';
import { followLoop, LogFollower } from './log-follow.js';
import type { LogRow } from '../../contracts/log-schema.js';

const T0 = Date.parse('2025-03-01T10:00:00Z');
const row = (time: number, message: string, instance = 'phi_1'): LogRow => ({
  time,
  level: 'info',
  message,
  component: 'agent',
  pool: 'phi',
  instance,
  properties: null,
});

/** A Log Analytics stand-in: each row becomes visible `lag` ms after its timestamp. */
class LaggingSource {
  rows: { row: LogRow; visibleAt: number }[] = [];
  queries: number[] = [];
  constructor(
    private readonly clock: FakeClock,
    private readonly pageSize: number,
  ) {}
  add(r: LogRow, lag: number) {
    this.rows.push({ row: r, visibleAt: r.time + lag });
  }
  query = async (from: number): Promise<LogRow[]> => {
    this.queries.push(from);
    return this.rows
      .filter((x) => x.visibleAt <= this.clock.now() && x.row.time >= from)
      .map((x) => x.row)
      .sort((a, b) => a.time - b.time)
      .slice(0, this.pageSize);
  };
}

/** Sleep advances time at once; `onSleep` lets a test add rows as time passes, or stop. */
class FakeClock implements Clock {
  constructor(
    public t: number,
    private readonly onSleep: (now: number) => void = () => undefined,
  ) {}
  now = () => this.t;
  sleep = async (ms: number, signal?: AbortSignal) => {
    if (signal?.aborted) throw signal.reason;
    this.t += ms;
    this.onSleep(this.t);
    if (signal?.aborted) throw signal.reason;
  };
}

describe('LogFollower (pure)', () => {
  it('shows each row once across overlapping polls', () => {
    const f = new LogFollower({ start: T0, overlapMs: 60_000, pageSize: 100 });
    const a = row(T0 + 1000, 'a');
    const b = row(T0 + 2000, 'b');
    expect(f.accept([a], T0 + 5000).fresh).toEqual([a]);
    expect(f.from).toBe(T0); // overlap reaches before the start: clamp to --since
    expect(f.accept([a, b], T0 + 10_000).fresh).toEqual([b]);
    expect(f.accept([a, b], T0 + 15_000).fresh).toEqual([]);
  });

  it('shows identical lines in the same millisecond as many times as they were logged', () => {
    const f = new LogFollower({ start: T0, overlapMs: 60_000, pageSize: 100 });
    const a = row(T0 + 1, 'same');
    expect(f.accept([a], T0 + 10).fresh).toHaveLength(1);
    expect(f.accept([a, a, a], T0 + 20).fresh).toHaveLength(2);
    expect(f.accept([a, a, a], T0 + 30).fresh).toHaveLength(0);
  });

  it('a late row inside the overlap window is shown, in time order with its poll', () => {
    const f = new LogFollower({ start: T0, overlapMs: 30_000, pageSize: 100 });
    const early = row(T0 + 100_000, 'early');
    f.accept([early], T0 + 110_000);
    expect(f.from).toBe(T0 + 80_000);
    const late = row(T0 + 95_000, 'late');
    const newer = row(T0 + 112_000, 'newer');
    expect(f.accept([late, early, newer], T0 + 120_000).fresh).toEqual([late, newer]);
  });

  it('continues a full page from its last row instead of skipping the rest', () => {
    const f = new LogFollower({ start: T0, overlapMs: 10_000, pageSize: 2 });
    const rows = [row(T0 + 1, 'r1'), row(T0 + 2, 'r2'), row(T0 + 2, 'r3'), row(T0 + 3, 'r4')];
    const p1 = f.accept(rows.slice(0, 2), T0 + 1_000_000);
    expect(p1).toEqual({ fresh: rows.slice(0, 2), more: true });
    expect(f.from).toBe(T0 + 2);
    const p2 = f.accept(rows.slice(1, 3), T0 + 1_000_001);
    expect(p2.fresh).toEqual([rows[2]]);
    expect(p2.more).toBe(false); // both rows at the lower bound: cannot continue from there
  });

  it('forgets rows no query can return again, so memory stays bounded', () => {
    const f = new LogFollower({ start: T0, overlapMs: 1_000, pageSize: 1000 });
    for (let i = 0; i < 100; i++) f.accept([row(T0 + i * 1000, `m${i}`)], T0 + i * 1000 + 1);
    expect(f.remembered).toBeLessThanOrEqual(2);
  });
});

describe('followLoop with a fake clock and lagging ingestion', () => {
  it('shows every row exactly once when lag <= overlap, in spite of out-of-order arrival', async () => {
    const controller = new AbortController();
    const lags = [0, 45_000, 5_000, 170_000, 20_000, 90_000, 1_000, 179_000];
    let n = 0;
    const clock = new FakeClock(T0, (now) => {
      // A burst every poll, with varying lag; stop after 10 simulated minutes plus drain time.
      if (now < T0 + 600_000) for (let i = 0; i < 3; i++) source.add(row(now - 1 - i, `line ${n}`, `vm${n++ % 4}`), lags[n % lags.length]);
      if (now > T0 + 600_000 + 200_000) controller.abort();
    });
    const source = new LaggingSource(clock, 50);
    const shown: LogRow[] = [];
    const follower = new LogFollower({ start: T0 - 15 * 60_000, overlapMs: 180_000, pageSize: 50 });
    await followLoop(follower, {
      clock,
      signal: controller.signal,
      query: source.query,
      onRows: (r) => shown.push(...r),
      intervalMs: 5_000,
    });
    expect(source.rows.length).toBeGreaterThan(300);
    const messages = shown.map((r) => r.message);
    expect(new Set(messages).size).toBe(messages.length); // nothing twice
    expect(messages.sort()).toEqual(source.rows.map((r) => r.row.message).sort()); // nothing skipped
  });

  it('a row later than the overlap is the documented loss (and nothing is shown twice)', async () => {
    const controller = new AbortController();
    const clock = new FakeClock(T0, (now) => {
      if (now === T0 + 10_000) source.add(row(T0 + 9_000, 'very late'), 120_000);
      if (now > T0 + 200_000) controller.abort();
    });
    const source = new LaggingSource(clock, 50);
    const shown: LogRow[] = [];
    await followLoop(new LogFollower({ start: T0, overlapMs: 60_000, pageSize: 50 }), {
      clock,
      signal: controller.signal,
      query: source.query,
      onRows: (r) => shown.push(...r),
      intervalMs: 5_000,
    });
    expect(shown).toEqual([]);
  });

  it('Ctrl-C during the wait ends the loop without an error', async () => {
    const controller = new AbortController();
    const clock = new FakeClock(T0, () => controller.abort());
    const source = new LaggingSource(clock, 50);
    await expect(
      followLoop(new LogFollower({ start: T0, overlapMs: 1000, pageSize: 5 }), {
        clock,
        signal: controller.signal,
        query: source.query,
        onRows: () => undefined,
        intervalMs: 1000,
      }),
    ).resolves.toBeUndefined();
    expect(source.queries).toHaveLength(1);
  });

  it('a transient error is reported and the tail goes on; a fatal one is thrown', async () => {
    const controller = new AbortController();
    let calls = 0;
    const clock = new FakeClock(T0, () => calls >= 3 && controller.abort());
    const errors: unknown[] = [];
    const query = async () => {
      calls++;
      if (calls === 1) throw new Error('503');
      return [row(T0 + calls, `ok${calls}`)];
    };
    const shown: LogRow[] = [];
    await followLoop(new LogFollower({ start: T0, overlapMs: 1000, pageSize: 5 }), {
      clock,
      signal: controller.signal,
      query,
      onRows: (r) => shown.push(...r),
      onError: (e) => {
        errors.push(e);
        return true;
      },
      intervalMs: 1000,
    });
    expect(errors).toHaveLength(1);
    expect(shown.map((r) => r.message)).toEqual(['ok2', 'ok3']);
    await expect(
      followLoop(new LogFollower({ start: T0, overlapMs: 1000, pageSize: 5 }), {
        clock: new FakeClock(T0),
        signal: new AbortController().signal,
        query: async () => {
          throw new Error('bad query');
        },
        onRows: () => undefined,
        intervalMs: 1,
      }),
    ).rejects.toThrow('bad query');
  });
});
