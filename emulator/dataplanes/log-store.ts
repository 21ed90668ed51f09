// Log rows per Log Analytics workspace, as the query API sees them. The core (and later the
// platform's processes) call `ingest`; the query handler reads only rows whose ingestion lag
// has passed, so a `gpuarb logs` tail can be tested against Azure's delayed visibility.

export type ColumnType = 'string' | 'datetime' | 'long' | 'real' | 'bool' | 'dynamic' | 'timespan';

export interface Column {
  name: string;
  type: ColumnType;
}

/** Stored cell values: datetimes as epoch milliseconds, dynamics as parsed JSON. */
export type Cell = string | number | boolean | null | object;

export interface StoredTable {
  columns: Column[];
  rows: { ingestedAt: number; cells: Record<string, Cell> }[];
}

export type LogStoreState = Record<string, Record<string, StoredTable>>;

export interface LogStoreOptions {
  /** Ingestion lag before rows are visible to queries; Azure's is 20 s – 3 min. Default 0. */
  ingestionDelayMs?: number;
  /** Oldest rows are dropped past this, so a long-running daemon does not grow without bound. */
  maxRowsPerTable?: number;
}

const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class LogStore {
  private workspaces: LogStoreState = {};
  private readonly delayMs: number;
  private readonly maxRows: number;

  constructor(
    private readonly now: () => number,
    options: LogStoreOptions = {},
  ) {
    this.delayMs = options.ingestionDelayMs ?? 0;
    this.maxRows = options.maxRowsPerTable ?? 100_000;
  }

  /**
   * Appends rows to `table` of workspace `workspaceId` (its customerId GUID). Column types are
   * fixed by the first value seen, as a Log Analytics table schema is; a row without
   * `TimeGenerated` gets the ingestion time, as Azure stamps it.
   */
  ingest(workspaceId: string, table: string, rows: Record<string, unknown>[]): void {
    if (!TABLE_NAME.test(table)) throw new Error(`invalid Log Analytics table name: ${table}`);
    const workspaceKey = workspaceId.toLowerCase();
    this.workspaces[workspaceKey] ??= {};
    const ws = this.workspaces[workspaceKey];
    ws[table] ??= { columns: [{ name: 'TimeGenerated', type: 'datetime' }], rows: [] };
    const t = ws[table];
    const ingestedAt = this.now();
    for (const row of rows) {
      const cells: Record<string, Cell> = {};
      for (const [name, raw] of Object.entries(row)) {
        if (raw === undefined) continue;
        let column = t.columns.find((c) => c.name === name);
        if (!column) {
          column = { name, type: inferType(name, raw) };
          t.columns.push(column);
        } else if (column.type === 'long' && typeof raw === 'number' && !Number.isInteger(raw)) {
          column.type = 'real'; // a long column that meets a fraction widens, rather than truncating
        }
        cells[name] = toCell(column.type, raw);
      }
      if (cells.TimeGenerated === undefined || cells.TimeGenerated === null) cells.TimeGenerated = ingestedAt;
      t.rows.push({ ingestedAt, cells });
    }
    if (t.rows.length > this.maxRows) t.rows.splice(0, t.rows.length - this.maxRows);
  }

  /** The table as a query sees it now: only rows past the ingestion lag. */
  visibleTable(workspaceId: string, table: string): { columns: Column[]; rows: Record<string, Cell>[] } | undefined {
    const t = this.workspaces[workspaceId.toLowerCase()]?.[table];
    if (!t) return undefined;
    const cutoff = this.now() - this.delayMs;
    return { columns: t.columns, rows: t.rows.filter((r) => r.ingestedAt <= cutoff).map((r) => r.cells) };
  }

  exportState(): LogStoreState {
    return structuredClone(this.workspaces);
  }

  importState(state: LogStoreState): void {
    this.workspaces = structuredClone(state);
  }
}

function inferType(name: string, value: unknown): ColumnType {
  if (name === 'TimeGenerated' || value instanceof Date) return 'datetime';
  if (typeof value === 'string') return ISO_DATETIME.test(value) ? 'datetime' : 'string';
  if (typeof value === 'number') return Number.isInteger(value) ? 'long' : 'real';
  if (typeof value === 'boolean') return 'bool';
  return 'dynamic';
}

function toCell(type: ColumnType, value: unknown): Cell {
  if (value === null) return null;
  switch (type) {
    case 'datetime': {
      const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(String(value));
      return Number.isNaN(ms) ? null : ms;
    }
    case 'long':
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
