// The context object (docs/design.md conventions §2): everything a command needs, with lazy getters so
// that nothing is loaded (config file, Azure credential, execa) until a command asks for it.
// Commands never touch process.*; tests build a context with createContext and fake streams.
import type { AzureTarget } from '../azure/target.js';
import type { LoadedConfig } from '../config/load.js';
import { systemClock, type Clock } from '../../lib/clock.js';
import { createIO, type IO, type Stream } from './io.js';
import { createPrompter, isInteractive, type Prompter } from './interactive.js';
import { createLogger, type Logger } from './logger.js';
import { SecretRedactor } from './redact.js';

export interface GlobalOptions {
  json: boolean;
  yes: boolean;
  noPrompt: boolean;
  verbose: boolean;
  config?: string;
  /**
   * `--local` was given: the run targets the local cloud, and without a gpuarb.yaml the embedded
   * default platform is used.
   */
  local?: boolean;
}

export interface Context {
  readonly io: IO;
  readonly env: Record<string, string | undefined>;
  readonly cwd: string;
  readonly globals: GlobalOptions;
  readonly prompt: Prompter;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly secrets: SecretRedactor;
  /** Aborted on the first Ctrl-C. */
  readonly signal: AbortSignal;
  /** The effective config (gpuarb.yaml + defaults + environment), loaded once. */
  config(): Promise<LoadedConfig>;
  /** Where ARM calls go: Azure, or the local cloud with --local. Resolved on first use, once. */
  target(): Promise<AzureTarget>;
  /** execa, imported on first use. */
  exec(): Promise<typeof import('execa').execa>;
}

export interface ContextInputs {
  stdout: Stream;
  stderr: Stream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  cwd: string;
  globals: GlobalOptions;
  signal: AbortSignal;
  clock?: Clock;
}

export function createContext(input: ContextInputs): Context {
  const secrets = new SecretRedactor();
  const io = createIO(input, input.env, secrets);
  const interactive = isInteractive({
    stdinIsTTY: Boolean(input.stdin.isTTY),
    stdoutIsTTY: Boolean(input.stdout.isTTY),
    env: input.env,
    noPrompt: input.globals.noPrompt,
  });
  let configPromise: Promise<LoadedConfig> | undefined;
  let targetPromise: Promise<AzureTarget> | undefined;
  const ctx: Context = {
    io,
    env: input.env,
    cwd: input.cwd,
    globals: input.globals,
    prompt: createPrompter(io, interactive, input.globals.yes),
    clock: input.clock ?? systemClock,
    logger: createLogger(io, input.globals.verbose),
    secrets,
    signal: input.signal,
    config() {
      configPromise ??= import('../config/load.js').then((m) =>
        m.loadConfig({ cwd: input.cwd, env: input.env, path: input.globals.config, localDefault: input.globals.local }),
      );
      return configPromise;
    },
    target() {
      targetPromise ??= import('../azure/resolve-target.js').then((m) => m.resolveTarget(ctx, { local: Boolean(input.globals.local) }));
      return targetPromise;
    },
    async exec() {
      return (await import('execa')).execa;
    },
  };
  return ctx;
}
