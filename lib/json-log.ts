// Structured JSON-lines logging shared by the long-running programs (fleet agent, gateway): one
// object per line — {ts, level, msg, ...fields} — which journald, Azure Monitor Agent and the local
// cloud's ingester (emulator/runtime/log-ingest.ts) parse. Each program decides where lines go.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export const LOG_LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

/** Receives each serialised line (with its trailing newline) and its level. */
export type LineWriter = (line: string, level: LogLevel) => void;

export function createJsonLogger(level: LogLevel, base: Record<string, unknown>, write: LineWriter): Logger {
  const min = LOG_LEVEL_ORDER[level];
  const emit = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (LOG_LEVEL_ORDER[lvl] < min) return;
    write(`${JSON.stringify({ ts: new Date().toISOString(), level: lvl, msg, ...base, ...fields }, errorReplacer)}\n`, lvl);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createJsonLogger(level, { ...base, ...fields }, write),
  };
}

/** Errors serialise as {name, message, code}: stacks would be noise in the log store. */
function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: value.message, ...(code !== undefined ? { code } : {}) };
  }
  return value;
}
