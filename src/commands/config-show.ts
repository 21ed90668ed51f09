import { defineCommand } from '../core/command.js';
import { redactObject } from '../core/redact.js';

export const configShowCommand = defineCommand({
  name: 'config show',
  summary: 'Print the effective config: file, defaults and environment overrides merged, secrets redacted',
  examples: ['gpuarb config show', 'gpuarb config show --json | jq .pools'],
  async run(ctx) {
    const { file, config, names } = await ctx.config();
    return { file, config: redactObject(config), names };
  },
  render(ctx, r) {
    ctx.io.out(`# effective config from ${r.file}`);
    ctx.io.out(JSON.stringify({ ...r.config, names: r.names }, null, 2));
  },
});
