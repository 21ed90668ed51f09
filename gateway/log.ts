// Structured JSON logs, one object per line on stderr (stdout stays free for a host's own
// output). Every line about a request carries its request id, which is also passed to the agent.
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export type LogSink = (line: string) => void;

export function createLogger(level: LogLevel = 'info', sink: LogSink = (l) => process.stderr.write(l + '\n'), base: Record<string, unknown> = {}): Logger {
  const min = ORDER[level];
  const emit = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < min) return;
    const err = fields?.err;
    const extra = err instanceof Error ? { err: { name: err.name, message: err.message, code: (err as { code?: string }).code } } : {};
    sink(JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, service: 'gpuarb-gateway', ...base, ...fields, ...extra }));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(level, sink, { ...base, ...fields }),
  };
}

/** For tests and benchmarks: drops everything. */
export const silentLogger: Logger = createLogger('error', () => {});
