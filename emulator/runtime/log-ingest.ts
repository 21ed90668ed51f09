// The local stand-in for Azure Monitor Agent + a data collection rule: turns the JSON log lines
// of agents and the gateway into rows of the workspace table `gpuarb logs` reads
// (contracts/log-schema.ts). Non-JSON lines are kept as messages, never dropped.
import { LOG_COLUMNS, LOG_TABLE } from '../../contracts/log-schema.js';

export interface LogSink {
  ingest(workspaceId: string, table: string, rows: Record<string, unknown>[]): void;
}

export function logLineToRow(
  line: string,
  source: { component: string; pool?: string | null; instance?: string | null },
): Record<string, unknown> {
  let parsed: Record<string, unknown> | undefined;
  try {
    const v = JSON.parse(line) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) parsed = v as Record<string, unknown>;
  } catch {
    parsed = undefined;
  }
  const { ts, level, msg, event, ...rest } = parsed ?? {};
  const time = typeof ts === 'string' && !Number.isNaN(Date.parse(ts)) ? new Date(ts).toISOString() : new Date().toISOString();
  return {
    [LOG_COLUMNS.time]: time,
    [LOG_COLUMNS.level]: typeof level === 'string' ? level : 'info',
    [LOG_COLUMNS.message]: typeof msg === 'string' ? msg : typeof event === 'string' ? event : line,
    [LOG_COLUMNS.component]: source.component,
    [LOG_COLUMNS.pool]: source.pool ?? null,
    [LOG_COLUMNS.instance]: source.instance ?? null,
    [LOG_COLUMNS.properties]: parsed ? rest : null,
  };
}

/** Batches rows per second so a chatty process does not ingest line by line. */
export class LogIngester {
  private buffer: Record<string, unknown>[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sink: LogSink,
    private readonly workspaceId: () => string | undefined,
  ) {}

  add(row: Record<string, unknown>): void {
    this.buffer.push(row);
    this.timer ??= setTimeout(() => this.flush(), 250);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const ws = this.workspaceId();
    const rows = this.buffer;
    this.buffer = [];
    if (ws && rows.length) this.sink.ingest(ws, LOG_TABLE, rows);
  }
}
