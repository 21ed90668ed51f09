// The gateway's logs: JSON lines (lib/json-log.ts) on stderr (stdout stays free for a host's
// own output). Every line about a request carries its request id, which is also passed to the agent.
import { createJsonLogger, type Logger, type LogLevel } from '../lib/json-log.js';

export type { Logger, LogLevel };

/** Receives one serialised line, without its newline. */
export type LogSink = (line: string) => void;

export function createLogger(
  level: LogLevel = 'info',
  sink: LogSink = (l) => process.stderr.write(`${l}\n`),
  base: Record<string, unknown> = {},
): Logger {
  return createJsonLogger(level, { service: 'gpuarb-gateway', ...base }, (line) => sink(line.slice(0, -1)));
}

/** For tests and benchmarks: drops everything. */
export const silentLogger: Logger = createLogger('error', () => {});
