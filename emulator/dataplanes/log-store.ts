// Log rows per Log Analytics workspace, as the query API sees them. A table exists only with a
// schema: a custom table created through ARM (`workspaces/tables`, read through `schemaOf`), or
// one of the workspace-based Application Insights tables every workspace has. Rows arrive only
// through a data collection rule (logs-ingestion.ts); columns the table does not declare are
// dropped, as Azure does. The query handler reads only rows whose ingestion lag has passed.

export type ColumnType = 'string' | 'datetime' | 'int' | 'long' | 'real' | 'bool' | 'dynamic' | 'timespan';

export interface Column {
  name: string;
  type: ColumnType;
}

/** Stored cell values: datetimes as epoch milliseconds, dynamics as parsed JSON. */
export type Cell = string | number | boolean | null | object;

export interface StoredTable {
  rows: { ingestedAt: number; cells: Record<string, Cell> }[];
}

export type LogStoreState = Record<string, Record<string, StoredTable>>;

/** A table's columns as ARM holds them (`properties.schema.columns`), or undefined if none. */
export type SchemaLookup = (workspaceId: string, table: string) => { name: string; type: string }[] | undefined;

export interface LogStoreOptions {
  /** Ingestion lag before rows are visible to queries; Azure's is 20 s – 3 min. Default 0. */
  ingestionDelayMs?: number;
  /** Oldest rows are dropped past this, so a long-running daemon does not grow without bound. */
  maxRowsPerTable?: number;
}

/**
 * The workspace-based Application Insights tables (a subset of their columns): they are part of
 * every workspace's schema, so a query on them answers empty rather than failing.
 * https://learn.microsoft.com/azure/azure-monitor/reference/tables/apptraces (and apprequests, appexceptions)
 */
const BUILT_IN_TABLES: Record<string, { name: string; type: string }[]> = {
  AppTraces: [
    { name: 'TimeGenerated', type: 'dateTime' },
    { name: 'Message', type: 'string' },
    { name: 'SeverityLevel', type: 'int' },
    { name: 'AppRoleName', type: 'string' },
    { name: 'Properties', type: 'dynamic' },
  ],
  AppRequests: [
    { name: 'TimeGenerated', type: 'dateTime' },
    { name: 'Name', type: 'string' },
    { name: 'ResultCode', type: 'string' },
    { name: 'Success', type: 'boolean' },
    { name: 'DurationMs', type: 'real' },
    { name: 'AppRoleName', type: 'string' },
  ],
  AppExceptions: [
    { name: 'TimeGenerated', type: 'dateTime' },
    { name: 'ExceptionType', type: 'string' },
    { name: 'OuterMessage', type: 'string' },
    { name: 'SeverityLevel', type: 'int' },
    { name: 'AppRoleName', type: 'string' },
  ],
};

const QUERY_TYPE: Record<string, ColumnType> = {
  string: 'string',
  guid: 'string',
  int: 'int',
  long: 'long',
  real: 'real',
  boolean: 'bool',
  datetime: 'datetime',
  dynamic: 'dynamic',
};

export class LogStore {
  private workspaces: LogStoreState = {};
  private readonly delayMs: number;
  private readonly maxRows: number;

  constructor(
    private readonly now: () => number,
    private readonly schemaOf: SchemaLookup,
    options: LogStoreOptions = {},
  ) {
    this.delayMs = options.ingestionDelayMs ?? 0;
    this.maxRows = options.maxRowsPerTable ?? 100_000;
  }

  /** The table's columns in query types, or undefined when the workspace has no such table. */
  columns(workspaceId: string, table: string): Column[] | undefined {
    const schema = this.schemaOf(workspaceId, table) ?? BUILT_IN_TABLES[table];
    return schema?.map((c) => ({ name: c.name, type: QUERY_TYPE[c.type.toLowerCase()] ?? 'string' }));
  }

  /**
   * Appends rows to `table` of workspace `workspaceId` (its customerId GUID). Throws when the
   * table does not exist. A row without `TimeGenerated` gets the ingestion time.
   */
  ingest(workspaceId: string, table: string, rows: Record<string, unknown>[]): void {
    const columns = this.columns(workspaceId, table);
    if (!columns) throw new Error(`table '${table}' does not exist in workspace ${workspaceId}`);
    const workspaceKey = workspaceId.toLowerCase();
    this.workspaces[workspaceKey] ??= {};
    const ws = this.workspaces[workspaceKey];
    ws[table] ??= { rows: [] };
    const t = ws[table];
    const ingestedAt = this.now();
    for (const row of rows) {
      const cells: Record<string, Cell> = {};
      for (const column of columns) {
        const raw = row[column.name];
        if (raw !== undefined) cells[column.name] = toCell(column.type, raw);
      }
      if (cells.TimeGenerated === undefined || cells.TimeGenerated === null) cells.TimeGenerated = ingestedAt;
      t.rows.push({ ingestedAt, cells });
    }
    if (t.rows.length > this.maxRows) t.rows.splice(0, t.rows.length - this.maxRows);
  }

  /** The table as a query sees it now: only rows past the ingestion lag. */
  visibleTable(workspaceId: string, table: string): { columns: Column[]; rows: Record<string, Cell>[] } | undefined {
    const columns = this.columns(workspaceId, table);
    if (!columns) return undefined;
    const t = this.workspaces[workspaceId.toLowerCase()]?.[table];
    const cutoff = this.now() - this.delayMs;
    return { columns, rows: (t?.rows ?? []).filter((r) => r.ingestedAt <= cutoff).map((r) => r.cells) };
  }

  exportState(): LogStoreState {
    return structuredClone(this.workspaces);
  }

  importState(state: LogStoreState): void {
    this.workspaces = structuredClone(state);
  }
}

function toCell(type: ColumnType, value: unknown): Cell {
  if (value === null) return null;
  switch (type) {
    case 'datetime': {
      const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(String(value));
      return Number.isNaN(ms) ? null : ms;
    }
    case 'int':
    case 'long':
      return Number.isFinite(Number(value)) ? Math.trunc(Number(value)) : null;
    case 'real':
      return typeof value === 'number' ? value : Number(value);
    case 'bool':
      return Boolean(value);
    case 'string':
      return typeof value === 'string' ? value : JSON.stringify(value);
    default:
      return value as Cell;
  }
}
