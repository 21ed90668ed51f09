// `gpuarb scale <pool>`: capacity, bounds, Spot priority mix or autoscale on/off — one kind of
// change per run, refused with a hint when Azure could not do it (src/ops/scale-rules.ts).
import { z } from 'zod';
import { arg, defineCommand, flags, opt } from '../core/command.js';
import { UserError } from '../core/errors.js';
import type { ScaleResult } from '../ops/scale.js';
import type { ScaleRequest } from '../ops/scale-rules.js';

const int = z.coerce.number().int();

export const scaleCommand = defineCommand({
  name: 'scale',
  summary: 'Change a pool: capacity, min/max bounds, Spot/Regular mix, or autoscale on/off',
  examples: [
    'gpuarb scale phi --to 3',
    'gpuarb scale mixtral --min 1 --max 8',
    'gpuarb scale llama --regular-base 1 --regular-percent 20',
    'gpuarb scale phi --autoscale off',
    'gpuarb scale phi --to 0 --no-wait --json',
  ],
  args: { pool: arg.required('pool name from gpuarb.yaml') },
  options: {
    to: opt.parsed('--to <n>', "set the capacity (within the pool's min/max)", int.optional()),
    min: opt.parsed('--min <n>', 'autoscale minimum (with --max)', int.optional()),
    max: opt.parsed('--max <n>', 'autoscale maximum (with --min)', int.optional()),
    regularBase: opt.parsed('--regular-base <n>', 'on-demand VMs before any Spot (Spot Priority Mix)', int.optional()),
    regularPercent: opt.parsed('--regular-percent <p>', 'percent on-demand above the base (0–100)', int.optional()),
    autoscale: opt.parsed('--autoscale <on|off>', 'turn the autoscale setting on or off', z.enum(['on', 'off']).optional()),
    wait: opt.parsed('--no-wait', 'return once Azure accepted the change', z.boolean().default(true)),
    timeout: opt.parsed('--timeout <seconds>', 'longest wait for ready instances', z.coerce.number().int().min(1).default(1800), '1800'),
    local: flags.local,
  },
  async run(ctx, opts): Promise<ScaleResult> {
    const req = requestFrom(opts);
    const { scalePool } = await import('../ops/scale.js');
    return scalePool(ctx, opts.pool, req, { wait: opts.wait, timeoutSeconds: opts.timeout });
  },
  render(ctx, r) {
    ctx.io.out(
      r.waited
        ? `${r.pool}: ${r.ready} of ${r.capacity} instances ready`
        : `${r.pool}: change applied${r.applied.capacity !== undefined ? ` (capacity ${r.capacity}, not waiting)` : ''}`,
    );
  },
});

export function requestFrom(o: {
  to?: number;
  min?: number;
  max?: number;
  regularBase?: number;
  regularPercent?: number;
  autoscale?: 'on' | 'off';
}): ScaleRequest {
  const kinds: ScaleRequest[] = [];
  if (o.to !== undefined) kinds.push({ kind: 'capacity', to: o.to });
  if (o.min !== undefined || o.max !== undefined) {
    if (o.min === undefined || o.max === undefined)
      throw new UserError('--min and --max go together.', { code: 'UsageError', hint: 'e.g. gpuarb scale phi --min 1 --max 4' });
    kinds.push({ kind: 'bounds', min: o.min, max: o.max });
  }
  if (o.regularBase !== undefined || o.regularPercent !== undefined)
    kinds.push({ kind: 'mix', regularBase: o.regularBase, regularPercent: o.regularPercent });
  if (o.autoscale) kinds.push({ kind: 'autoscale', enabled: o.autoscale === 'on' });
  if (kinds.length !== 1) {
    throw new UserError(kinds.length ? 'Give one kind of change per run.' : 'Nothing to change.', {
      code: 'UsageError',
      hint: 'One of: --to N | --min N --max N | --regular-base N [--regular-percent P] | --autoscale on|off',
    });
  }
  return kinds[0];
}
