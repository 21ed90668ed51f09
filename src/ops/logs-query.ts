// Log Analytics queries for `logs` and `status`, through LogsQueryClient against the workspace's
// customerId. Rows come back as arrays by column; they are mapped by column NAME so a table
// with extra or reordered columns still reads right.
import { buildLogQuery, kqlDatetime, kqlString, type LogFilter } from './kql.js';
import { LOG_COLUMNS as C, LOG_TABLE, REQUEST_MESSAGE, type LogRow } from '../../contracts/log-schema.js';
import { logsClient, workspaceCustomerId } from './azure-clients.js';
import type { OpsStack } from './stack.js';

type Cell = string | number | boolean | Record<string, unknown> | Date | null | undefined;

export interface Workspace {
  query(kql: string, from: number): Promise<Record<string, Cell>[]>;
}

const workspaces = new WeakMap<OpsStack, Promise<Workspace>>();

/** One client and one customerId lookup per command run. */
function workspaceOf(stack: OpsStack): Promise<Workspace> {
  let w = workspaces.get(stack);
  if (!w) {
    w = (async () => {
      const [client, id] = await Promise.all([
        logsClient(stack.target),
        workspaceCustomerId(stack.target, stack.resourceGroup, stack.names.workspace),
      ]);
      return {
        async query(kql: string, from: number) {
          // The timespan only bounds the scan; the query's own TimeGenerated filter decides.
          const result = await client.queryWorkspace(
            id,
            kql,
            { startTime: new Date(from - 60_000), endTime: new Date(Date.now() + 3_600_000) },
            { serverTimeoutInSeconds: 60 },
          );
          if (result.status !== 'Success') {
            const err = (result as { partialError?: { message?: string } }).partialError;
            throw new Error(`Log Analytics returned a partial result: ${err?.message ?? 'unknown error'}`);
          }
          const table = result.tables[0];
          if (!table) return [];
          const names = table.columnDescriptors.map((c) => c.name ?? '');
          return table.rows.map((r) => Object.fromEntries(names.map((n, i) => [n, r[i] as Cell])));
        },
      };
    })();
    workspaces.set(stack, w);
  }
  return w;
}

const str = (v: Cell): string | null => (v === null || v === undefined || v === '' ? null : String(v));

function toLogRow(r: Record<string, Cell>): LogRow {
  const t = r[C.time];
  const time = t instanceof Date ? t.getTime() : typeof t === 'number' ? t : Date.parse(String(t));
  let properties = r[C.properties] as LogRow['properties'] | string | undefined;
  if (typeof properties === 'string') {
    try {
      properties = JSON.parse(properties) as Record<string, unknown>;
    } catch {
      properties = { raw: properties };
    }
  }
  return {
    time,
    level: str(r[C.level]) ?? 'info',
    message: str(r[C.message]) ?? '',
    component: str(r[C.component]),
    pool: str(r[C.pool]),
    instance: str(r[C.instance]),
    properties: (properties as LogRow['properties']) ?? null,
  };
}

export async function queryLogs(stack: OpsStack, filter: LogFilter): Promise<LogRow[]> {
  const ws = await workspaceOf(stack);
  return (await ws.query(buildLogQuery(filter), filter.from)).map(toLogRow);
}

/** KQL that counts gateway request lines since `from`: all, server errors, or cache hits. */
function countQueryText(from: number, what: 'all' | 'errors' | 'cacheHits'): string {
  const where = [`${C.time} >= ${kqlDatetime(from)}`, `${C.component} == 'gateway'`, `${C.message} == ${kqlString(REQUEST_MESSAGE)}`];
  if (what === 'errors') where.push(`${C.status} >= 500`);
  if (what === 'cacheHits') where.push(`${C.cache} == 'hit'`);
  return `${LOG_TABLE}\n| where ${where.join(' and ')}\n| count`;
}

export async function countQuery(stack: OpsStack, q: { from: number; requests: 'all' | 'errors' | 'cacheHits' }): Promise<number> {
  const ws = await workspaceOf(stack);
  const rows = await ws.query(countQueryText(q.from, q.requests), q.from);
  return Number(rows[0]?.Count ?? 0);
}
