// The live view while the load runs: an Ink panel on a terminal (stderr), or a plain progress
// line every few seconds when stderr is piped (CI logs). Ink and React are imported here, and
// this module is imported only inside the command's run, so `gpuarb --help` never pays for them.
import { Box, Text, render } from 'ink';
import type { Context } from '../core/context.js';
import { ms, pct } from './format.js';
import { progressLine, type LiveSnapshot } from './live-snapshot.js';

export interface LiveView {
  stop(): void;
}


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
        errors <Text color={s.failed ? 'red' : 'green'}>{s.failed} ({pct(s.errorRate, 2)})</Text> · cache hits {pct(s.cacheHitRate)}
      </Text>
    </Box>
  );
}

export function startLiveView(ctx: Context, snapshot: () => LiveSnapshot, durationSec: number): LiveView {
  const terminal = Boolean(ctx.io.stderr.isTTY) && !ctx.env.CI;
  if (terminal) {
    const ink = render(<Panel s={snapshot()} />, {
      stdout: ctx.io.stderr as unknown as NodeJS.WriteStream,
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
  // Piped: a line a second for short runs, every 5 s for long ones, so CI logs stay readable.
  const every = durationSec <= 60 ? 1000 : 5000;
  const timer = setInterval(() => ctx.io.info(progressLine(snapshot())), every);
  return {
    stop() {
      clearInterval(timer);
      ctx.io.info(progressLine(snapshot()));
    },
  };
}
