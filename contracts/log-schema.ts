// The Log Analytics table gpuarb's processes log into, and the shape `gpuarb logs` reads.
// Agents and the gateway write JSON lines ({ts, level, msg, ...fields}); the collector (Azure
// Monitor Agent with a DCR in Azure, the local cloud's ingester locally) maps them to these
// columns. One table for every component keeps the tail a single query.

export const LOG_TABLE = 'GpuarbLogs_CL';

/** The stream the data collection rule declares for it; writers post to this stream. */
export const LOG_STREAM = `Custom-${LOG_TABLE}`;

export const LOG_COLUMNS = {
  time: 'TimeGenerated',
  level: 'Level',
  message: 'Message',
  component: 'Component',
  pool: 'Pool',
  instance: 'Instance',
  properties: 'Properties',
  /** HTTP status of a gateway `request` line (promoted from the JSON `status` field). */
  status: 'Status',
  /** `hit` or `miss` on a gateway `request` line (promoted from the JSON `cache` field). */
  cache: 'Cache',
} as const;

/**
 * The table's schema, created through ARM (`workspaces/tables`) and declared as the DCR's
 * stream: Azure keeps only declared columns, so every column a query names must be here.
 */
export const LOG_TABLE_COLUMNS: readonly { name: string; type: 'dateTime' | 'string' | 'int' | 'dynamic' }[] = [
  { name: LOG_COLUMNS.time, type: 'dateTime' },
  { name: LOG_COLUMNS.level, type: 'string' },
  { name: LOG_COLUMNS.message, type: 'string' },
  { name: LOG_COLUMNS.component, type: 'string' },
  { name: LOG_COLUMNS.pool, type: 'string' },
  { name: LOG_COLUMNS.instance, type: 'string' },
  { name: LOG_COLUMNS.properties, type: 'dynamic' },
  { name: LOG_COLUMNS.status, type: 'int' },
  { name: LOG_COLUMNS.cache, type: 'string' },
];

/** The gateway logs one line with this message per request (status and cache fields). */
export const REQUEST_MESSAGE = 'request';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

export interface LogRow {
  /** Epoch milliseconds. */
  time: number;
  level: string;
  message: string;
  component: string | null;
  pool: string | null;
  instance: string | null;
  /** The remaining structured fields of the log line. */
  properties: Record<string, unknown> | null;
}

/** The levels at or above `min` (warn → warn, error). */
export function levelsAtLeast(min: LogLevelName): LogLevelName[] {
  return LOG_LEVELS.slice(LOG_LEVELS.indexOf(min));
}

/**
 * Identity of a row for de-duplication across overlapping polls. Log Analytics has no row id,
 * so it is the row's whole content; two identical lines at the same millisecond are told apart
 * by counting (see src/ops/log-follow.ts), not by this key.
 */
export function rowKey(r: LogRow): string {
  return JSON.stringify([r.time, r.level, r.component, r.pool, r.instance, r.message, r.properties]);
}
