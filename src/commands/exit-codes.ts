import { defineCommand } from '../core/command.js';
import { EXIT_CODE_TABLE } from '../core/exit-codes.js';

export const exitCodesCommand = defineCommand({
  name: 'help exit-codes',
  summary: 'List the exit codes gpuarb uses, for scripts and CI',
  examples: ['gpuarb help exit-codes', 'gpuarb help exit-codes --json'],
  async run() {
    return { exitCodes: EXIT_CODE_TABLE.map((e) => ({ ...e })) };
  },
  render(ctx, result) {
    for (const e of result.exitCodes) ctx.io.out(`${String(e.code).padStart(3)}  ${e.name.padEnd(18)} ${e.meaning}`);
  },
});
