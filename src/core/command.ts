// The shape of a command (DESIGN.md conventions §1): one file per command under src/commands/
// exports a definition; src/commands/index.ts lists them; src/cli.ts wires them into commander.
// Heavy modules (Ink, the Azure SDKs) are imported inside `run`, never at the top of the file.
import type { z } from 'zod';
import type { Context } from './context.js';

export interface OptionSpec {
  /** commander flags, e.g. "--to <n>", "--detailed-exitcode", "--no-wait". */
  flags: string;
  description: string;
  default?: string | boolean;
}

export interface ArgSpec {
  name: string;
  description: string;
  required?: boolean;
  variadic?: boolean;
}

export interface CommandDefinition<Opts = unknown, Result = unknown> {
  /** Words after `gpuarb`, e.g. "plan" or "config show". */
  name: string;
  summary: string;
  description?: string;
  /** Shown under --help; every command has at least one. */
  examples: string[];
  args?: ArgSpec[];
  options?: OptionSpec[];
  /** Validates commander's parsed options (args arrive as `args`), strictly. */
  schema: z.ZodType<Opts>;
  run(ctx: Context, opts: Opts): Promise<Result>;
  /** Human rendering of the result on stdout (plain when piped). Default: nothing but JSON-less summary. */
  render?(ctx: Context, result: Result): void;
  /** Exit code for a successful run (e.g. 2 for pending changes, 8 for degraded). */
  exitCode?(result: Result, opts: Opts): number;
}

/** Helps commands keep their generic types when listed in one table. */
export function defineCommand<O, R>(def: CommandDefinition<O, R>): CommandDefinition<O, R> {
  return def;
}
