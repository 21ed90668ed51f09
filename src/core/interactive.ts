// The one interactivity gate (docs/design.md conventions §5): prompts only when stdin and stdout are
// terminals and we are not in CI or told otherwise; a prompt needed in non-interactive use is an
// error that names the flag that answers it.
import { createInterface } from 'node:readline/promises';
import { UserError } from './errors.js';
import type { IO } from './io.js';

export interface GateInputs {
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  env: Record<string, string | undefined>;
  noPrompt: boolean;
}

const truthy = (v: string | undefined) => v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';

export function isInteractive(g: GateInputs): boolean {
  if (g.noPrompt || truthy(g.env.GPUARB_NON_INTERACTIVE) || truthy(g.env.CI)) return false;
  return g.stdinIsTTY && g.stdoutIsTTY;
}

export interface Prompter {
  readonly interactive: boolean;
  /** Yes/no. `--yes` answers yes; non-interactive without it is an error naming `flag`. */
  confirm(question: string, opts: { flag: string }): Promise<boolean>;
  /** Free text with a default; non-interactive without a value is an error naming `flag`. */
  text(question: string, opts: { flag: string; default?: string }): Promise<string>;
}

export function createPrompter(io: IO, interactive: boolean, assumeYes: boolean): Prompter {
  const ask = async (q: string) => {
    const rl = createInterface({ input: io.stdin, output: io.stderr as NodeJS.WritableStream, terminal: true });
    try {
      return (await rl.question(q)).trim();
    } finally {
      rl.close();
    }
  };
  const needFlag = (what: string, flag: string) =>
    new UserError(`${what} needs an answer, but gpuarb is not running interactively.`, {
      code: 'PromptRequired',
      hint: `Pass ${flag} to answer it in scripts and CI (interactive prompts only run on a terminal, outside CI).`,
    });
  return {
    interactive,
    async confirm(question, { flag }) {
      if (assumeYes) return true;
      if (!interactive) throw needFlag(`Confirmation "${question}"`, flag);
      const a = (await ask(`${question} [y/N] `)).toLowerCase();
      return a === 'y' || a === 'yes';
    },
    async text(question, { flag, default: def }) {
      if (!interactive) {
        if (def !== undefined) return def;
        throw needFlag(`"${question}"`, flag);
      }
      const a = await ask(def ? `${question} (${def}) ` : `${question} `);
      return a || def || '';
    },
  };
}
