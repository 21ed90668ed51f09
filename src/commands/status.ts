// `gpuarb status`: the stack at a glance for operators and on-call; exit 8 when degraded so CI
// and probes can act on it. `--watch` redraws until Ctrl-C (the last report is the result).
import { z } from 'zod';
import { defineCommand, flags, opt } from '../core/command.js';
import { ExitCode } from '../core/exit-codes.js';
import type { StatusReport } from '../ops/status-model.js';
// Pure string rendering, no SDK: fine at the top.
import { renderStatus } from '../ops/status-render.js';

export const statusCommand = defineCommand({
  name: 'status',
  summary: 'Pools, instances, gateway health, traffic rates and cost per hour; exit 8 when degraded',
  examples: [
    'gpuarb status',
    'gpuarb status --local --watch',
    'gpuarb status --json | jq .problems',
    'gpuarb status --json >/dev/null || echo "degraded or failed: $?"',
  ],
  options: {
    watch: opt.flag('--watch', 'refresh until Ctrl-C'),
    interval: opt.parsed('--interval <seconds>', 'refresh interval with --watch', z.coerce.number().min(1).max(3600).default(5), '5'),
    local: flags.local,
  },
  async run(ctx, opts): Promise<StatusReport> {
    const [{ collectStatus }, { buildStatus }] = await Promise.all([import('../ops/status-collect.js'), import('../ops/status-model.js')]);
    let report = buildStatus(await collectStatus(ctx));
    if (!opts.watch) return report;
    // Watch: redraw on stderr (stdout keeps the final result, so `--watch --json` still pipes).
    for (;;) {
      const clear = ctx.io.stderr.isTTY ? '\u001b[2J\u001b[H' : '';
      ctx.io.stderr.write(`${clear + renderStatus(report).join('\n')}\n\n`);
      try {
        await ctx.clock.sleep(opts.interval * 1000, ctx.signal);
      } catch {
        break; // Ctrl-C ends the watch; the last report is the result
      }
      report = buildStatus(await collectStatus(ctx));
    }
    return report;
  },
  render(ctx, r) {
    for (const line of renderStatus(r)) ctx.io.out(line);
  },
  exitCode: (r) => (r.degraded ? ExitCode.degraded : ExitCode.ok),
});
