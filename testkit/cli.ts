// Runs the CLI in-process with captured streams, as a terminal or as a pipe, for tests.
import { PassThrough } from 'node:stream';
import { runCli } from '../src/cli.js';
import { OutputCapture } from './output-capture.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
  tty?: boolean;
  stdinText?: string;
  signal?: AbortSignal;
}

/** The width a test terminal reports, so wrapped output is the same on every machine. */
const TEST_TERMINAL_COLUMNS = 100;

export async function runGpuarb(args: string[], opts: CliRunOptions): Promise<CliRun> {
  const stdout = new OutputCapture(Boolean(opts.tty), TEST_TERMINAL_COLUMNS);
  const stderr = new OutputCapture(Boolean(opts.tty), TEST_TERMINAL_COLUMNS);
  const stdin = Object.assign(new PassThrough(), { isTTY: Boolean(opts.tty) });
  if (opts.stdinText !== undefined) stdin.end(opts.stdinText);
  const code = await runCli(args, {
    stdout: stdout as unknown as NodeJS.WritableStream,
    stderr: stderr as unknown as NodeJS.WritableStream,
    stdin,
    env: { PATH: process.env.PATH, ...(opts.env ?? {}) },
    cwd: opts.cwd,
    signal: opts.signal ?? new AbortController().signal,
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}
