// The local cloud's log shipper for the processes it runs: turns the JSON log lines of agents and
// the gateway into rows of the stream `gpuarb logs` reads (contracts/log-schema.ts) and posts
// them through the Logs Ingestion API as the writer's managed identity, exactly as a writer on
// Azure must: no rule, no role or no table means no rows (the refusal is reported once).
// Non-JSON lines are kept as messages, never dropped.
import { LOG_COLUMNS, LOG_STREAM } from '../../contracts/log-schema.js';

export interface IngestOutcome {
  status: number;
  error?: { code: string; message: string };
}

export interface LogSink {
  upload(principalId: string, ruleImmutableId: string, stream: string, rows: unknown): IngestOutcome;
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
    // Promoted so `status` can count requests and errors without parsing Properties.
    [LOG_COLUMNS.status]: typeof rest.status === 'number' ? rest.status : null,
    [LOG_COLUMNS.cache]: typeof rest.cache === 'string' ? rest.cache : null,
  };
}

/** Who writes a batch (its identity's principal) and through which rule; undefined = not yet. */
export interface Route {
  principalId: string | undefined;
  ruleImmutableId: string | undefined;
}

/** Batches rows per writer every 250 ms so a chatty process does not post line by line. */
export class LogIngester {
  private buffers = new Map<string, Record<string, unknown>[]>();
  private timer: NodeJS.Timeout | undefined;
  private readonly reported = new Set<string>();
  /** A writer's route once complete: its rows were written while it existed, so a VM deleted before
   * the next flush (an eviction right after its notice) still has its last lines posted, as the
   * agent on Azure posts them with the token it already holds. Roles are checked at upload. */
  private readonly routes = new Map<string, Route>();

  constructor(
    private readonly sink: LogSink,
    private readonly route: (writer: string) => Route,
    private readonly warn: (msg: string) => void = () => undefined,
  ) {}

  /** `writer` names the process whose identity posts the row (e.g. `agent:<vm>`, `gateway`). */
  add(writer: string, row: Record<string, unknown>): void {
    if (!this.routes.has(writer)) {
      const route = this.route(writer);
      if (route.principalId && route.ruleImmutableId) this.routes.set(writer, route);
    }
    const rows = this.buffers.get(writer) ?? [];
    rows.push(row);
    this.buffers.set(writer, rows);
    this.timer ??= setTimeout(() => this.flush(), 250);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batches = this.buffers;
    this.buffers = new Map();
    for (const [writer, rows] of batches) {
      const { principalId, ruleImmutableId } = this.routes.get(writer) ?? this.route(writer);
      const outcome: IngestOutcome =
        !principalId || !ruleImmutableId
          ? {
              status: 0,
              error: { code: 'NoPipeline', message: 'no data collection rule for the gpuarb log stream, or no identity for the writer' },
            }
          : this.sink.upload(principalId, ruleImmutableId, LOG_STREAM, rows);
      if (!outcome.error) continue;
      const key = `${writer.split(':')[0]}/${outcome.error.code}`;
      if (this.reported.has(key)) continue;
      this.reported.add(key);
      this.warn(`log rows of ${writer} not ingested (${outcome.status || '-'} ${outcome.error.code}): ${outcome.error.message}`);
    }
  }
}
