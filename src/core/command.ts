// The shape of a command (docs/design.md conventions §1): one file per command under src/commands/
// exports a definition; src/commands/index.ts lists them; src/cli.ts wires them into commander.
// Each flag and argument is declared once, with its schema: commander's options, the strict zod
// schema that validates them and the type `run` receives are all derived from that declaration.
// Heavy modules (Ink, the Azure SDKs) are imported inside `run`, never at the top of the file.
import { z } from 'zod';
import type { Context } from './context.js';

export interface OptionSpec<S extends z.ZodType = z.ZodType> {
  /** commander flags, e.g. "--to <n>", "--detailed-exitcode", "--no-wait". */
  flags: string;
  description: string;
  /** commander's default (a string, as typed on the command line), shown by --help. */
  default?: string | boolean;
  /** Validates and converts what commander parsed. */
  schema: S;
}

export interface ArgSpec<S extends z.ZodType = z.ZodType> {
  description: string;
  required?: boolean;
  variadic?: boolean;
  schema: S;
}

export type OptionsRecord = Record<string, OptionSpec>;
export type ArgsRecord = Record<string, ArgSpec>;
type ShapeOf<R extends Record<string, { schema: z.ZodType }>> = { [K in keyof R]: R[K]['schema'] };
/** What `run` receives: the parsed options and arguments, keyed as declared. */
export type OptsOf<O extends OptionsRecord, A extends ArgsRecord> = z.output<z.ZodObject<ShapeOf<O> & ShapeOf<A>>>;

/** Option declarations; the record key must be commander's name for the flag (camelCase, `--no-x` → `x`). */
export const opt = {
  /** A switch such as `--purge`. */
  flag: (flags: string, description: string) => ({ flags, description, schema: z.boolean().optional() }),
  /** A value such as `--tier <tier>`, absent unless given. */
  text: (flags: string, description: string) => ({ flags, description, schema: z.string().optional() }),
  /** A value with a default, shown by --help. */
  textOr: (flags: string, description: string, fallback: string) => ({
    flags,
    description,
    default: fallback,
    schema: z.string().default(fallback),
  }),
  /** Anything else: `schema` parses commander's string (or boolean); `fallback` is commander's default. */
  parsed: <S extends z.ZodType>(flags: string, description: string, schema: S, fallback?: string | boolean) => ({
    flags,
    description,
    ...(fallback === undefined ? {} : { default: fallback }),
    schema,
  }),
};

export const arg = {
  required: (description: string) => ({ description, required: true, schema: z.string() }),
  optional: (description: string) => ({ description, schema: z.string().optional() }),
};

/** Flags several commands share. `local` also selects the target (src/core/context.ts). */
export const flags = {
  local: opt.flag('--local', 'target the local cloud instead of Azure'),
  skipCode: opt.flag('--skip-code', 'infrastructure only: do not build or deploy the gateway package and agent bundle'),
};

export interface CommandSpec<O extends OptionsRecord, A extends ArgsRecord, Result> {
  /** Words after `gpuarb`, e.g. "plan" or "config show". */
  name: string;
  summary: string;
  description?: string;
  /** Shown under --help; every command has at least one. */
  examples: string[];
  /** Positional arguments, in order. */
  args?: A;
  options?: O;
  run(ctx: Context, opts: OptsOf<O, A>): Promise<Result>;
  /** Human rendering of the result on stdout (plain when piped). Default: nothing but JSON-less summary. */
  render?(ctx: Context, result: Result): void;
  /** Exit code for a successful run (e.g. 2 for pending changes, 8 for degraded). */
  exitCode?(result: Result, opts: OptsOf<O, A>): number;
}

/** A command as src/cli.ts wires it: the declarations as lists, and the schema derived from them. */
export interface CommandDefinition<Opts = unknown, Result = unknown> {
  name: string;
  summary: string;
  description?: string;
  examples: string[];
  args: (ArgSpec & { name: string })[];
  options: (OptionSpec & { key: string })[];
  /** Validates commander's parsed options and the arguments (by name), strictly. */
  schema: z.ZodType<Opts>;
  run(ctx: Context, opts: Opts): Promise<Result>;
  render?(ctx: Context, result: Result): void;
  exitCode?(result: Result, opts: Opts): number;
}

export function defineCommand<
  O extends OptionsRecord = Record<never, OptionSpec>,
  A extends ArgsRecord = Record<never, ArgSpec>,
  R = unknown,
>(spec: CommandSpec<O, A, R>): CommandDefinition<OptsOf<O, A>, R> {
  const options = Object.entries(spec.options ?? {}).map(([key, o]) => ({ ...o, key }));
  const args = Object.entries(spec.args ?? {}).map(([name, a]) => ({ ...a, name }));
  const shape = Object.fromEntries([...options.map((o) => [o.key, o.schema]), ...args.map((a) => [a.name, a.schema])]);
  const { options: _o, args: _a, ...rest } = spec;
  return { ...rest, options, args, schema: z.strictObject(shape) as unknown as z.ZodType<OptsOf<O, A>> };
}
