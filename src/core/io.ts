// Where output goes (docs/design.md conventions §3): results on stdout, everything for humans
// (progress, warnings, prompts) on stderr. Every write passes through the secret redactor.
import type { SecretRedactor } from './redact.js';

export interface Stream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface IO {
  readonly stdout: Stream;
  readonly stderr: Stream;
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Colour (and Ink) only when stderr is a terminal and NO_COLOR is not set. */
  readonly color: boolean;
  /** True when stdout is a terminal: human tables; otherwise stable plain text. */
  readonly stdoutIsTTY: boolean;
  /** A result line on stdout. */
  out(text: string): void;
  /** A human message on stderr. */
  info(text: string): void;
  warn(text: string): void;
}

export function createIO(
  streams: { stdout: Stream; stderr: Stream; stdin: NodeJS.ReadableStream & { isTTY?: boolean } },
  env: Record<string, string | undefined>,
  redactor: SecretRedactor,
): IO {
  const color = Boolean(streams.stderr.isTTY) && env.NO_COLOR === undefined && env.TERM !== 'dumb';
  const paint = (code: string, s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  return {
    stdout: streams.stdout,
    stderr: streams.stderr,
    stdin: streams.stdin,
    color,
    stdoutIsTTY: Boolean(streams.stdout.isTTY),
    out: (text) => void streams.stdout.write(`${redactor.redact(text)}\n`),
    info: (text) => void streams.stderr.write(`${redactor.redact(text)}\n`),
    warn: (text) => void streams.stderr.write(`${paint('33', 'warning: ') + redactor.redact(text)}\n`),
  };
}

/** Minimal ANSI styling for stderr text; plain when colour is off. */
export function style(io: IO) {
  const wrap = (code: string) => (s: string) => (io.color ? `\u001b[${code}m${s}\u001b[0m` : s);
  return { bold: wrap('1'), dim: wrap('2'), red: wrap('31'), green: wrap('32'), yellow: wrap('33'), cyan: wrap('36') };
}
