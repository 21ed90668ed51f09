import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineCommand, opt } from '../core/command.js';
import { UserError } from '../core/errors.js';

export const initCommand = defineCommand({
  name: 'init',
  summary: 'Write a commented gpuarb.yaml with the default platform (three models on spot GPUs)',
  examples: ['gpuarb init', 'gpuarb init --stack acme-prod --location westeurope --subscription <id> --yes', 'gpuarb init --force'],
  options: {
    stack: opt.text('--stack <name>', 'stack name (3–20 lowercase letters, digits, hyphens)'),
    location: opt.text('--location <region>', 'Azure region, e.g. eastus'),
    subscription: opt.text('--subscription <id>', 'Azure subscription id (or AZURE_SUBSCRIPTION_ID later)'),
    force: opt.flag('--force', 'overwrite an existing gpuarb.yaml'),
  },
  async run(ctx, opts) {
    const file = resolve(ctx.cwd, ctx.globals.config ?? 'gpuarb.yaml');
    if (existsSync(file) && !opts.force) {
      throw new UserError(`${file} already exists.`, {
        code: 'ConfigExists',
        hint: 'Pass --force to overwrite it, or --config <file> to write elsewhere.',
      });
    }
    // A stack name is a decision (every resource name derives from it): without a terminal it
    // must come from --stack, or --yes accepts the default.
    const ask = (q: string, flag: string, def: string) =>
      ctx.prompt.interactive || !ctx.globals.yes
        ? ctx.prompt.text(q, { flag, default: ctx.prompt.interactive ? def : undefined })
        : Promise.resolve(def);
    const stack = opts.stack ?? (await ask('Stack name?', '--stack', 'gpuarb-prod'));
    const location =
      opts.location ??
      (ctx.prompt.interactive ? await ctx.prompt.text('Azure region?', { flag: '--location', default: 'eastus' }) : 'eastus');
    const subscription =
      opts.subscription ??
      (ctx.prompt.interactive
        ? (await ctx.prompt.text('Subscription id (empty: set later)?', { flag: '--subscription', default: '' })) || undefined
        : undefined);
    const { defaultConfigYaml } = await import('../config/default-config.js');
    const { parseConfigText } = await import('../config/load.js');
    const text = defaultConfigYaml({ stack, location, subscription });
    // Validate before writing, so a bad flag never leaves a broken file behind.
    parseConfigText(text, file, {});
    writeFileSync(file, text, { flag: opts.force ? 'w' : 'wx' });
    return { file, stack, location, subscription: subscription ?? null };
  },
  render(ctx, r) {
    ctx.io.out(`wrote ${r.file} (stack ${r.stack} in ${r.location})`);
    ctx.io.info('Next: `gpuarb plan` to see what it will create, or `gpuarb up --local` to run it on this machine.');
  },
});
