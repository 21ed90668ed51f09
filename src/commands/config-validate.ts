import { defineCommand } from '../core/command.js';
import { configWarnings } from '../config/checks.js';

export const configValidateCommand = defineCommand({
  name: 'config validate',
  summary: 'Check gpuarb.yaml and report every problem at once',
  examples: ['gpuarb config validate', 'gpuarb config validate --config prod.yaml --json'],
  async run(ctx) {
    const { file, config, names } = await ctx.config();
    const warnings = configWarnings(config).map((w) => `${w.path.join('.')}: ${w.message}`);
    for (const w of warnings) ctx.io.warn(w);
    return { valid: true as const, file, stack: config.stack, pools: config.pools.map((p) => p.name), names, warnings };
  },
  render(ctx, r) {
    ctx.io.out(`${r.file} is valid: stack ${r.stack}, pools ${r.pools.join(', ')}`);
  },
});
