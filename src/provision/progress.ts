// Progress renderers for apply events: Ink on a terminal (one live line per resource), plain
// lines when piped, or one JSON event per line on stderr (`--progress json`).
import type { Context } from '../core/context.js';
import type { ProgressSink } from './progress-sink.js';

export type ProgressMode = 'ink' | 'plain' | 'json' | 'none';

export function chooseProgressMode(ctx: Context, opts: { progress?: string; json?: boolean }): ProgressMode {
  if (opts.progress === 'json') return 'json';
  if (opts.progress === 'none') return 'none';
  if (ctx.io.stderr.isTTY && ctx.io.color && !opts.json) return 'ink';
  return 'plain';
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`.padStart(7);

/** Plain text: one line per state change that matters (start, end), stable for logs and CI. */
export function plainSink(write: (line: string) => void): ProgressSink {
  return {
    event(e) {
      if (e.state === 'pending') return;
      const extra = e.error
        ? `  ${e.error.code}: ${e.error.message}${e.error.hint ? ` (hint: ${e.error.hint})` : ''}`
        : e.attempt && e.attempt > 1
          ? `  attempt ${e.attempt}`
          : e.note
            ? `  note: ${e.note}`
            : '';
      write(`[${secs(e.elapsedMs)}] ${e.state.padEnd(7)} ${e.action.padEnd(6)} ${e.label}${extra}`);
    },
    close: async () => {},
  };
}

export function jsonSink(write: (line: string) => void): ProgressSink {
  return { event: (e) => write(JSON.stringify(e)), close: async () => {} };
}

export async function createProgressSink(ctx: Context, mode: ProgressMode): Promise<ProgressSink> {
  const write = (line: string) => ctx.io.info(line);
  if (mode === 'none') return { event: () => {}, close: async () => {} };
  if (mode === 'json') return jsonSink(write);
  if (mode === 'plain') return plainSink(write);
  // Ink costs ~340 ms to import: only on a terminal, only when up actually applies.
  const { inkSink } = await import('./progress-ink.js');
  return inkSink(ctx.io.stderr as NodeJS.WriteStream);
}
