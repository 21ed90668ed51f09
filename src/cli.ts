// The gpuarb entry point: wires the command table into commander, builds the context, runs the
// command, prints its result (JSON on stdout with --json, human text otherwise) and maps errors
// and results to the documented exit codes. Nothing heavy is imported here.
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import type { CommandDefinition } from './core/command.js';
import { createContext, type GlobalOptions } from './core/context.js';
import { CancelledError, UserError } from './core/errors.js';
import { createIO } from './core/io.js';
import { SecretRedactor } from './core/redact.js';
import { normalizeError, renderError } from './core/render-error.js';
import { COMMANDS } from './commands/index.js';

export interface RunEnvironment {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  cwd: string;
  /** Aborted on Ctrl-C (the first press); the caller forces exit on the second. */
  signal: AbortSignal;
}

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * The global flags as commander parsed them. The program's own flags are recognised before and
 * after the command word (`gpuarb --json status`, `gpuarb status --json`); `--local` belongs to the
 * commands that accept it, and selects the context's target.
 */
function globalsOf(command: Command): GlobalOptions {
  const opts = command.optsWithGlobals();
  return {
    json: Boolean(opts.json),
    yes: Boolean(opts.yes),
    noPrompt: opts.prompt === false,
    verbose: Boolean(opts.verbose),
    config: typeof opts.config === 'string' ? opts.config : undefined,
    local: command.opts().local === true,
  };
}

/** Runs the CLI and resolves to the exit code; never calls process.exit. */
export async function runCli(argv: string[], envr: RunEnvironment): Promise<number> {
  let exitCode = 0;
  const fallbackIO = createIO(envr, envr.env, new SecretRedactor());

  const program = new Command('gpuarb')
    .description('Build and run an OpenAI-compatible inference reseller on Azure spot GPUs.')
    .version(packageVersion(), '-V, --version')
    .option('--json', 'print the result as JSON on stdout (errors as {"error":{…}})')
    .option('-y, --yes', 'answer yes to confirmations (needed in CI for changes)')
    .option('--no-prompt', 'never prompt; fail and name the flag instead (also GPUARB_NON_INTERACTIVE=1, CI)')
    .option('--verbose', 'show debug output, error causes and stacks')
    .option('--config <file>', 'config file (default: ./gpuarb.yaml or GPUARB_CONFIG)')
    .showHelpAfterError(false)
    .helpCommand(false)
    .addHelpText('after', '\nExit codes: `gpuarb help exit-codes`. Every command has --help with examples.')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void envr.stdout.write(s),
      writeErr: (s) => void envr.stderr.write(s),
      outputError: () => undefined, // rendered by our handler, as text or JSON
    });

  const groups = new Map<string, Command>();
  const help = program.command('help').description('Show help for a command, or `help exit-codes`').argument('[command...]', 'the command');
  help.action((words: string[]) => {
    const target = words.reduce<Command | undefined>((c, w) => c?.commands.find((x) => x.name() === w), program);
    (target ?? program).outputHelp();
  });
  groups.set('help', help);

  for (const def of COMMANDS) {
    const words = def.name.split(' ');
    let parent = program;
    for (const w of words.slice(0, -1)) {
      let g = groups.get(w);
      if (!g) {
        g = program.command(w).description(`${w} commands`);
        groups.set(w, g);
      }
      parent = g;
    }
    const cmd = parent
      .command(words[words.length - 1])
      .summary(def.summary)
      .description(def.description ?? def.summary);
    for (const a of def.args)
      cmd.argument(a.required ? `<${a.name}${a.variadic ? '...' : ''}>` : `[${a.name}${a.variadic ? '...' : ''}]`, a.description);
    for (const o of def.options) {
      const option = new Option(o.flags, o.description);
      if (o.default !== undefined) option.default(o.default);
      // The declaration's key is what `run` reads: it must be the name commander files the value under.
      if (option.attributeName() !== o.key) throw new Error(`${def.name}: option ${o.flags} is declared as "${o.key}"`);
      cmd.addOption(option);
    }
    cmd.addHelpText('after', `\nExamples:\n${def.examples.map((e) => `  $ ${e}`).join('\n')}\n`);
    cmd.action(async (...actionArgs: unknown[]) => {
      const command = actionArgs[actionArgs.length - 1] as Command;
      const positional = actionArgs.slice(0, def.args.length);
      exitCode = await runCommand(def, command, positional, envr);
    });
  }

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (e) {
    // commander reads every argument before it reports one: the program's flags are known here.
    const json = Boolean(program.opts().json);
    const verbose = Boolean(program.opts().verbose);
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      const err = new UserError(e.message.replace(/^error: /, ''), {
        code: 'UsageError',
        hint: 'Run the command with --help for its options and examples.',
      });
      renderError(fallbackIO, err, { json, verbose });
      return err.exitCode;
    }
    const err = normalizeError(e);
    renderError(fallbackIO, err, { json, verbose });
    return err.exitCode;
  }
}

async function runCommand(
  def: CommandDefinition<unknown, unknown>,
  command: Command,
  positional: unknown[],
  envr: RunEnvironment,
): Promise<number> {
  const globals = globalsOf(command);
  const ctx = createContext({ ...envr, globals });
  try {
    const raw = { ...command.opts(), ...Object.fromEntries(def.args.map((a, i) => [a.name, positional[i]])) };
    const parsed = def.schema.safeParse(raw);
    if (!parsed.success) {
      const problems = parsed.error.issues.map(
        (i) => `${i.path.length ? `--${String(i.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ` : ''}${i.message}`,
      );
      throw new UserError(`Invalid options for \`gpuarb ${def.name}\`: ${problems.join('; ')}`, {
        code: 'UsageError',
        hint: `See \`gpuarb ${def.name} --help\`.`,
      });
    }
    const result = await def.run(ctx, parsed.data);
    if (ctx.signal.aborted) throw new CancelledError();
    if (globals.json) ctx.io.out(JSON.stringify(result, null, ctx.io.stdoutIsTTY ? 2 : undefined));
    else def.render?.(ctx, result);
    return def.exitCode?.(result, parsed.data) ?? 0;
  } catch (e) {
    const err = ctx.signal.aborted && !(e instanceof UserError) ? new CancelledError() : normalizeError(e);
    renderError(ctx.io, err, { json: globals.json, verbose: globals.verbose });
    return err.exitCode;
  }
}

/** Program entry (bin/gpuarb.js): Ctrl-C once cancels cleanly (130), twice forces. */
export async function main(argv: string[]): Promise<void> {
  // `gpuarb … | head` closes the pipe early: that is not an error of ours.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  const controller = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    interrupts += 1;
    if (interrupts === 1) {
      process.stderr.write('\nCancelling… (press Ctrl-C again to force)\n');
      controller.abort(new CancelledError());
    } else process.exit(130);
  });
  const code = await runCli(argv, {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
  });
  process.exitCode = code;
  // Flush and leave: open handles (SDK agents, timers) must not keep a finished CLI alive.
  if (code === 130) process.exit(code);
}
