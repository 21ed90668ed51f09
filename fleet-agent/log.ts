// The agent's logs: JSON lines (lib/json-log.ts), errors and warnings on stderr, the rest on
// stdout. Prompt and completion text never goes through here unless `logContent` is configured
// (see openai routes).
import { createJsonLogger, LOG_LEVEL_ORDER, type Logger, type LogLevel } from '../lib/json-log.js';

export type { Logger, LogLevel };

export interface LogSink {
  out(line: string): void;
  err(line: string): void;
}

const processSink: LogSink = {
  out: (line) => process.stdout.write(line),
  err: (line) => process.stderr.write(line),
};

export function createLogger(level: LogLevel = 'info', base: Record<string, unknown> = {}, sink: LogSink = processSink): Logger {
  return createJsonLogger(level, base, (line, lvl) => (LOG_LEVEL_ORDER[lvl] >= LOG_LEVEL_ORDER.warn ? sink.err(line) : sink.out(line)));
}

/** A logger that keeps lines in memory: for tests that assert on what was logged. */
export function memoryLogger(level: LogLevel = 'debug'): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const push = (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>);
  return { logger: createLogger(level, {}, { out: push, err: push }), lines };
}
