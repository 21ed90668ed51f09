// `gpuarb local start|stop|status|reset`: the local cloud daemon (emulator/daemon.ts) that
// `gpuarb up --local` and scripts talk to. `--json` prints {endpoint, caCertPath, subscriptionId,
// stateDir, pid} so other Azure tools can be pointed at it.
import { resolve } from 'node:path';
import { z } from 'zod';
import type { Context } from '../core/context.js';
import { localStateDir } from '../azure/target.js';
import { defineCommand, opt } from '../core/command.js';
import { UserError } from '../core/errors.js';

const stateDirOption = {
  stateDir: opt.text('--state-dir <dir>', 'State directory of the local cloud (default .gpuarb/local, or GPUARB_LOCAL_STATE_DIR)'),
};
/** The same directory `--local` on every other command uses, relative to the working directory. */
const dirOf = (ctx: Context, opts: { stateDir?: string }) => resolve(ctx.cwd, opts.stateDir ?? localStateDir(ctx));
const daemon = () => import('../../emulator/daemon-control.js');

function asUserError(err: unknown): never {
  throw new UserError((err as Error).message, {
    code: 'LocalCloudError',
    hint: 'Run `gpuarb local status` to see what runs on that state directory.',
  });
}

const localStartCommand = defineCommand({
  name: 'local start',
  summary: 'Start the local cloud (Azure stand-in) as a background daemon',
  examples: ['gpuarb local start', 'gpuarb local start --port 8443 --json'],
  options: {
    ...stateDirOption,
    port: opt.parsed('--port <port>', 'Port on 127.0.0.1 (0 picks a free one)', z.coerce.number().int().min(0).max(65535).default(0), '0'),
    profile: opt.parsed(
      '--profile <profile>',
      'fast | realistic provisioning times',
      z.enum(['fast', 'realistic']).default('fast'),
      'fast',
    ),
  },
  async run(ctx, opts) {
    return (await daemon()).startDaemon({ stateDir: dirOf(ctx, opts), port: opts.port, profile: opts.profile }).catch(asUserError);
  },
  render(ctx, r) {
    ctx.io.out(
      `local cloud running at ${r.endpoint} (pid ${r.pid})\n` +
        `  CA certificate: ${r.caCertPath}\n  subscription:   ${r.subscriptionId}\n  state:          ${r.stateDir}`,
    );
  },
});

const localStopCommand = defineCommand({
  name: 'local stop',
  summary: 'Stop the local cloud daemon (its state is kept)',
  examples: ['gpuarb local stop'],
  options: stateDirOption,
  async run(ctx, opts) {
    return (await daemon()).stopDaemon({ stateDir: dirOf(ctx, opts) }).catch(asUserError);
  },
  render(ctx, r) {
    ctx.io.out(r.stopped ? `local cloud stopped (pid ${r.pid})` : 'no local cloud was running');
  },
});

const localStatusCommand = defineCommand({
  name: 'local status',
  summary: 'Show whether the local cloud runs, and where',
  examples: ['gpuarb local status', 'gpuarb local status --json'],
  options: stateDirOption,
  async run(ctx, opts) {
    const info = (await daemon()).daemonStatus({ stateDir: dirOf(ctx, opts) });
    return info ? { running: true, ...info } : { running: false, stateDir: dirOf(ctx, opts) };
  },
  render(ctx, r) {
    ctx.io.out(
      'endpoint' in r ? `local cloud running at ${r.endpoint} (pid ${r.pid}), state ${r.stateDir}` : `no local cloud runs on ${r.stateDir}`,
    );
  },
});

const localResetCommand = defineCommand({
  name: 'local reset',
  summary: 'Delete every resource of the (stopped) local cloud; keeps its CA and token',
  examples: ['gpuarb local stop && gpuarb local reset'],
  options: stateDirOption,
  async run(ctx, opts) {
    try {
      return (await daemon()).resetState({ stateDir: dirOf(ctx, opts) });
    } catch (err) {
      return asUserError(err);
    }
  },
  render(ctx, r) {
    ctx.io.out(r.removed ? `local cloud state in ${r.stateDir} reset` : `nothing to reset in ${r.stateDir}`);
  },
});

export const LOCAL_COMMANDS = [localStartCommand, localStopCommand, localStatusCommand, localResetCommand];
