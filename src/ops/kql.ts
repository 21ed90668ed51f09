// Builds the KQL for `gpuarb logs` from flags. Only the subset the local cloud also understands
// (table, where with comparisons/and/or/in/has/contains, datetime(), project, order by, take):
// the same query must run on both. User input only ever enters inside string literals, escaped.
import { LOG_COLUMNS as C, LOG_TABLE, levelsAtLeast, type LogLevelName } from '../../contracts/log-schema.js';

const KQL_ESCAPES: Record<string, string> = { '\\': '\\\\', "'": "\\'", '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A KQL string literal: backslash escapes, so no input can close the literal or add operators. */
export function kqlString(value: string): string {
  const body = value.replace(/[\\'\n\r\t]/g, (c) => KQL_ESCAPES[c]);
  return `'${body}'`;
}

/** A KQL datetime literal in UTC with milliseconds. */
export function kqlDatetime(ms: number): string {
  return `datetime(${new Date(ms).toISOString()})`;
}

export interface LogFilter {
  /** Lower bound on TimeGenerated (inclusive), epoch ms. */
  from: number;
  /** Upper bound (exclusive), epoch ms; none when tailing. */
  to?: number;
  pool?: string;
  instance?: string;
  level?: LogLevelName;
  /** Case-insensitive substring of the message. */
  grep?: string;
  /** Row cap per query. */
  take: number;
}

export function buildLogQuery(f: LogFilter): string {
  const where = [`${C.time} >= ${kqlDatetime(f.from)}`];
  if (f.to !== undefined) where.push(`${C.time} < ${kqlDatetime(f.to)}`);
  if (f.pool) where.push(`${C.pool} == ${kqlString(f.pool)}`);
  if (f.instance) where.push(`${C.instance} == ${kqlString(f.instance)}`);
  if (f.level && f.level !== 'debug') where.push(`${C.level} in (${levelsAtLeast(f.level).map(kqlString).join(', ')})`);
  // `contains` is case-insensitive in KQL, as grep -i; `has` would need whole terms.
  if (f.grep) where.push(`${C.message} contains ${kqlString(f.grep)}`);
  return [
    LOG_TABLE,
    `| where ${where.join(' and ')}`,
    `| project ${[C.time, C.level, C.message, C.component, C.pool, C.instance, C.properties].join(', ')}`,
    // Ascending so a capped page is the OLDEST rows: the follower continues from the last one.
    `| order by ${C.time} asc`,
    `| take ${Math.max(1, Math.floor(f.take))}`,
  ].join('\n');
}
