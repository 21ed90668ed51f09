// `gpuarb logs`: one query over a time range, or a tail (log-follow.ts) that polls with a
// watermark, an overlap and de-duplication until Ctrl-C.
import type { Context } from '../core/context.js';
import { isTransient } from '../azure/arm-errors.js';
import { followLoop, LogFollower } from './log-follow.js';
import type { LogLevelName, LogRow } from '../../contracts/log-schema.js';
import { queryLogs } from './logs-query.js';
import { loadStack } from './stack.js';

export interface LogsOptions {
  sinceSeconds: number;
  pool?: string;
  instance?: string;
  level?: LogLevelName;
  grep?: string;
  follow?: boolean;
  /** Rows per query. */
  limit: number;
  /** Tail: poll interval and overlap (ingestion lag allowance). */
  intervalMs?: number;
  overlapMs?: number;
  /** Tail: each batch as it arrives. */
  onRows?(rows: LogRow[]): void;
}

export interface LogsResult {
  rows: LogRow[];
  /** A one-shot query hit the row cap: older or newer rows exist that were not shown. */
  truncated: boolean;
}

export async function runLogs(ctx: Context, o: LogsOptions): Promise<LogsResult> {
  const stack = await loadStack(ctx);
  const start = ctx.clock.now() - o.sinceSeconds * 1000;
  const filter = { pool: o.pool, instance: o.instance, level: o.level, grep: o.grep, take: o.limit };
  if (!o.follow) {
    const rows = await queryLogs(stack, { ...filter, from: start });
    return { rows, truncated: rows.length >= o.limit };
  }
  const follower = new LogFollower({ start, overlapMs: o.overlapMs ?? 180_000, pageSize: o.limit });
  await followLoop(follower, {
    clock: ctx.clock,
    signal: ctx.signal,
    intervalMs: o.intervalMs ?? 5_000,
    query: (from) => queryLogs(stack, { ...filter, from }),
    onRows: (rows) => o.onRows?.(rows),
    onError: (err) => {
      if (!isTransient(err)) return false;
      ctx.io.warn(`log query failed, retrying: ${String((err as Error).message).split('\n')[0]}`);
      return true;
    },
  });
  return { rows: [], truncated: false };
}
