// `gpuarb logs`: what the agents and the gateway logged, from Log Analytics. `--follow` tails
// (nothing twice, nothing skipped within the overlap; see src/ops/log-follow.ts); Ctrl-C ends it.
import { z } from 'zod';
import { defineCommand, flags, opt } from '../core/command.js';
import { UserError } from '../core/errors.js';
import { parseDurationSeconds } from '../config/duration.js';
import type { LogsResult } from '../ops/logs.js';
// Pure formatting, no SDK: fine at the top.
import { formatLogRow } from '../ops/log-format.js';

export const logsCommand = defineCommand({
  name: 'logs',
  summary: "Query or tail the agents' and the gateway's logs (Log Analytics)",
  examples: [
    'gpuarb logs --since 1h --level warn',
    'gpuarb logs --follow --pool phi',
    'gpuarb logs --instance phi_3f2a1b --grep evict --json',
    'gpuarb logs --local --follow',
  ],
  options: {
    follow: opt.flag('--follow', 'keep polling for new rows until Ctrl-C'),
    since: opt.textOr('--since <duration>', 'how far back to start (e.g. 90s, 15m, 2h, 1d)', '15m'),
    pool: opt.text('--pool <pool>', 'only this pool'),
    instance: opt.text('--instance <name>', 'only this VM instance'),
    level: opt.parsed(
      '--level <level>',
      'this level and above: debug, info, warn, error',
      z.enum(['debug', 'info', 'warn', 'error']).optional(),
    ),
    grep: opt.parsed('--grep <text>', 'messages containing this text (case-insensitive)', z.string().min(1).optional()),
    limit: opt.parsed('--limit <n>', 'rows per query', z.coerce.number().int().min(1).max(10_000).default(1000), '1000'),
    overlap: opt.textOr('--overlap <duration>', 'with --follow: how far back each poll re-reads (ingestion lag)', '3m'),
    local: flags.local,
  },
  async run(ctx, opts): Promise<LogsResult> {
    const duration = (flag: string, v: string) => {
      const s = parseDurationSeconds(v);
      if (s === undefined || s <= 0)
        throw new UserError(`${flag} "${v}" is not a duration.`, { code: 'UsageError', hint: 'Write e.g. 90s, 15m, 2h or 7d.' });
      return s;
    };
    const { runLogs } = await import('../ops/logs.js');
    return runLogs(ctx, {
      sinceSeconds: duration('--since', opts.since),
      overlapMs: duration('--overlap', opts.overlap) * 1000,
      pool: opts.pool,
      instance: opts.instance,
      level: opts.level,
      grep: opts.grep,
      follow: opts.follow,
      limit: opts.limit,
      // A tail streams: JSON lines under --json, text lines otherwise, as rows arrive.
      onRows: (rows) => {
        for (const r of rows) ctx.io.out(ctx.globals.json ? JSON.stringify(r) : formatLogRow(r));
      },
    });
  },
  render(ctx, r) {
    for (const row of r.rows) ctx.io.out(formatLogRow(row));
    if (r.truncated) ctx.io.warn('more rows than --limit: narrow --since or raise --limit');
  },
});
