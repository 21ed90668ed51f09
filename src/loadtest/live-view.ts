// The live view while the load runs: the Ink panel on a terminal (stderr), or a plain progress
// line every few seconds when stderr is piped (CI logs). Ink is imported only for a terminal.
import type { Context } from '../core/context.js';
import { progressLine, type LiveSnapshot } from './live-snapshot.js';
import type { LiveView } from './live-view-handle.js';

export async function startLiveView(ctx: Context, snapshot: () => LiveSnapshot, durationSec: number): Promise<LiveView> {
  if (ctx.io.stderr.isTTY && !ctx.env.CI) {
    const { startInkPanel } = await import('./live-panel.js');
    return startInkPanel(ctx, snapshot);
  }
  // A line a second for short runs, every 5 s for long ones, so CI logs stay readable.
  const every = durationSec <= 60 ? 1000 : 5000;
  const timer = setInterval(() => ctx.io.info(progressLine(snapshot())), every);
  return {
    stop() {
      clearInterval(timer);
      ctx.io.info(progressLine(snapshot()));
    },
  };
}
