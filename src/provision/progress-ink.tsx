import { render, Box, Text } from 'ink';
import type { ProgressEvent } from './apply.js';
import type { ProgressSink } from './progress-sink.js';

const COLOR: Record<ProgressEvent['state'], string> = { pending: 'gray', running: 'cyan', done: 'green', failed: 'red', skipped: 'yellow' };
const ICON: Record<ProgressEvent['state'], string> = { pending: '·', running: '…', done: '✓', failed: '✗', skipped: '-' };

function Lines({ events, now }: { events: ProgressEvent[]; now: number }) {
  return (
    <Box flexDirection="column">
      {events.map((e) => (
        <Text key={e.resourceId} color={COLOR[e.state]}>
          {ICON[e.state]} {e.action.padEnd(6)} {e.label.padEnd(34)} {e.state.padEnd(8)}
          {e.state === 'running'
            ? `${((now - (e as ProgressEvent & { startedAt: number }).startedAt) / 1000).toFixed(1)}s`
            : e.elapsedMs
              ? `${(e.elapsedMs / 1000).toFixed(1)}s`
              : ''}
          {e.error ? `  ${e.error.code}${e.error.hint ? ` — ${e.error.hint}` : ''}` : ''}
        </Text>
      ))}
    </Box>
  );
}

export function inkSink(stream: NodeJS.WriteStream): ProgressSink {
  const byId = new Map<string, ProgressEvent & { startedAt: number }>();
  const app = render(<Lines events={[]} now={Date.now()} />, { stdout: stream, patchConsole: false });
  const draw = () => app.rerender(<Lines events={[...byId.values()]} now={Date.now()} />);
  // Elapsed times tick while steps run.
  const timer = setInterval(draw, 250);
  return {
    event(e) {
      const prev = byId.get(e.resourceId);
      byId.set(e.resourceId, {
        ...e,
        startedAt: e.state === 'running' && prev?.state !== 'running' ? Date.now() : (prev?.startedAt ?? Date.now()),
      });
      draw();
    },
    async close() {
      clearInterval(timer);
      draw();
      app.unmount();
      await app.waitUntilExit();
    },
  };
}
