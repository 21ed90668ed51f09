import { defineCommand } from '../core/command.js';

export const configValidateCommand = defineCommand({
  name: 'config validate',
  summary: 'Check gpuarb.yaml and report every problem at once',
  examples: ['gpuarb config validate', 'gpuarb config validate --config prod.yaml --json'],
  async run(ctx) {
    const { file, config, names } = await ctx.config();
    return { valid: true as const, file, stack: config.stack, pools: config.pools.map((p) => p.name), names };
  },
  render(ctx, r) {
    ctx.io.out(`${r.file} is valid: stack ${r.stack}, pools ${r.pools.join(', ')}`);
  },
});
