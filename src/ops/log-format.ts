// One text line per log row: time, level, where (component/pool/instance), message, fields.
import type { LogRow } from '../../contracts/log-schema.js';

export function formatLogRow(r: LogRow): string {
  const where = [r.component, r.pool, r.instance].filter(Boolean).join('/');
  const props = r.properties && Object.keys(r.properties).length ? ` ${JSON.stringify(r.properties)}` : '';
  return `${new Date(r.time).toISOString()} ${r.level.toUpperCase().padEnd(5)} ${where || '-'} ${r.message}${props}`;
}
