// The live Ink panel on a terminal (stderr). Ink and React are imported here, and this module is
// imported only when stderr is a terminal (live-view.ts), so CI runs and --help never load them.
import { Writable } from 'node:stream';
import { Box, Text, render } from 'ink';
import type { Context } from '../core/context.js';
import type { Stream } from '../core/io.js';
import { ms, pct } from './format.js';
import type { LiveSnapshot } from './live-snapshot.js';
import type { LiveView } from './live-view-handle.js';

function Panel({ s }: { s: LiveSnapshot }) {
  const width = 30;
  const filled = Math.round((s.elapsedSec / s.durationSec) * width);
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1}>
      <Text>
        <Text bold>loadtest</Text> {'█'.repeat(filled)}
        {'░'.repeat(Math.max(0, width - filled))} {s.elapsedSec.toFixed(0)}s/{s.durationSec}s
      </Text>
      <Text>
        rate <Text color="cyan">{s.sendRate.toFixed(1)}/s</Text> · sent {s.sent} · in flight {s.inFlight}
      </Text>
      <Text>
        latency p50 {ms(s.p50Ms)} · p95 <Text color="yellow">{ms(s.p95Ms)}</Text> · p99 {ms(s.p99Ms)}
      </Text>
      <Text>
        errors{' '}
        <Text color={s.failed ? 'red' : 'green'}>
          {s.failed} ({pct(s.errorRate, 2)})
        </Text>{' '}
        · cache hits {pct(s.cacheHitRate)}
      </Text>
    </Box>
  );
}

/** The Ink panel on stderr, redrawn four times a second. */
export function startInkPanel(ctx: Context, snapshot: () => LiveSnapshot): LiveView {
  const ink = render(<Panel s={snapshot()} />, {
    stdout: inkStream(ctx.io.stderr),
    patchConsole: false,
    exitOnCtrlC: false,
  });
  const timer = setInterval(() => ink.rerender(<Panel s={snapshot()} />), 250);
  return {
    stop() {
      clearInterval(timer);
      ink.rerender(<Panel s={snapshot()} />);
      ink.unmount();
    },
  };
}

/**
 * Ink wants a real WriteStream (events, columns); a context's stream may be a minimal writer
 * (the in-process test harness, for one). A terminal stream is used as it is, so resizes work.
 */
function inkStream(stream: Stream): NodeJS.WriteStream {
  if (typeof (stream as Partial<NodeJS.WriteStream>).on === 'function') return stream as NodeJS.WriteStream;
  const adapter = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      stream.write(chunk.toString());
      done();
    },
  });
  return Object.assign(adapter, { isTTY: true, columns: stream.columns ?? 80, rows: 24 }) as unknown as NodeJS.WriteStream;
}
