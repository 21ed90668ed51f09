// Diagnostic log lines on stderr. Quiet by default; --verbose shows debug lines.
import type { IO } from './io.js';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export function createLogger(io: IO, verbose: boolean): Logger {
  const fmt = (msg: string, fields?: Record<string, unknown>) =>
    fields && Object.keys(fields).length ? `${msg} ${JSON.stringify(fields)}` : msg;
  return {
    debug: (m, f) => {
      if (verbose) io.info(`debug: ${fmt(m, f)}`);
    },
    info: (m, f) => io.info(fmt(m, f)),
    warn: (m, f) => io.warn(fmt(m, f)),
  };
}
