// Structured JSON-lines logging: one object per line, errors and warnings on stderr, the rest on
// stdout, so journald / Azure Monitor Agent / the local cloud can parse them. Prompt and
// completion text never goes through here unless `logContent` is configured (see openai routes).

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export interface LogSink { out(line: string): void; err(line: string): void; }

const processSink: LogSink = {
  out: (line) => process.stdout.write(line),
  err: (line) => process.stderr.write(line),
};

export function createLogger(level: LogLevel = 'info', base: Record<string, unknown> = {}, sink: LogSink = processSink): Logger {
  const min = ORDER[level];
  const write = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < min) return;
    const line = JSON.stringify({ ts: new Date().toISOString(), level: lvl, msg, ...base, ...fields }, errorReplacer) + '\n';
    if (ORDER[lvl] >= ORDER.warn) sink.err(line); else sink.out(line);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => createLogger(level, { ...base, ...fields }, sink),
  };
}

/** Errors serialise as {name, message, code}; stacks only at debug would be noise in journald. */
function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: value.message, ...(code !== undefined ? { code } : {}) };
  }
  return value;
}

/** A logger that keeps lines in memory: for tests that assert on what was logged. */
export function memoryLogger(level: LogLevel = 'debug'): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const push = (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>);
  return { logger: createLogger(level, {}, { out: push, err: push }), lines };
}
