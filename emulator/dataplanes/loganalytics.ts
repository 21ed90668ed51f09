// The Log Analytics query API (`POST /v1/workspaces/{customerId}/query`) as the real
// @azure/monitor-query-logs LogsQueryClient calls it. Point the client at it with
// `endpoint: "<emulator origin>/v1"` (the client appends `/workspaces/{id}/query`; with an
// explicit endpoint it does NOT add `/v1` itself). Rows come from LogStore (`ingest`).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DataPlaneHandler, LogAnalyticsDeps } from './deps.js';
import { bearerToken, guid, readJson, sendJson } from './http-util.js';
import { KqlError } from './kql-errors.js';
import { evaluate } from './kql-eval.js';
import { parseKql } from './kql-parse.js';
import { LogStore, type LogStoreOptions, type LogStoreState } from './log-store.js';
import { createLogsIngestion, type IngestOutcome } from './logs-ingestion.js';

export interface LogAnalyticsDataPlane extends DataPlaneHandler {
  /** Rows that have arrived in an existing table of a workspace (by customerId): for tests. */
  ingest(workspaceId: string, table: string, rows: Record<string, unknown>[]): void;
  /** The Logs Ingestion API for in-process writers, with the writer's principal id. */
  upload(principalId: string, ruleImmutableId: string, stream: string, rows: unknown): IngestOutcome;
  exportState(): LogStoreState;
  importState(state: LogStoreState): void;
}

const LOG_ANALYTICS_AUDIENCE = 'https://api.loganalytics.io';
const QUERY_PATH = /^\/v1\/workspaces\/([^/]+)\/query\/?$/;

export function createLogAnalyticsDataPlane(deps: LogAnalyticsDeps, options: LogStoreOptions = {}): LogAnalyticsDataPlane {
  const store = new LogStore(deps.now, deps.tableSchema, options);
  const ingestion = createLogsIngestion({ ...deps.ingestion, random: deps.random }, store);

  const handler = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    if (await ingestion.handler(req, res, url)) return true;
    if (!url.pathname.startsWith('/v1/') && url.pathname !== '/v1') return false;
    const correlationId = guid(deps.random);
    const fail = (status: number, code: string, message: string, extra: Record<string, unknown> = {}): void =>
      sendJson(res, status, { error: { message, code, correlationId, ...extra } }, { 'x-ms-correlation-request-id': correlationId });

    const match = QUERY_PATH.exec(url.pathname);
    if (!match || (req.method !== 'POST' && req.method !== 'GET')) {
      fail(
        404,
        'PathNotFoundError',
        `The requested path does not exist (the local cloud serves only POST/GET /v1/workspaces/{workspaceId}/query; no $batch, no resource-centric queries).`,
      );
      return true;
    }
    const token = bearerToken(req);
    if (token === undefined) {
      sendJson(res, 401, {
        error: { code: 'AuthenticationFailed', message: "Authentication failed. The 'Authorization' header is missing." },
      });
      return true;
    }
    const decision = deps.authorize({
      token,
      audience: LOG_ANALYTICS_AUDIENCE,
      dataAction: 'Microsoft.OperationalInsights/workspaces/query/read',
    });
    if (decision === 'unauthenticated') {
      sendJson(res, 403, { error: { code: 'InvalidAuthenticationToken', message: 'The access token is invalid.' } });
      return true;
    }
    if (decision === 'forbidden') {
      fail(403, 'InsufficientAccessError', 'The provided credentials have insufficient access to perform the requested operation');
      return true;
    }
    const workspaceId = decodeURIComponent(match[1]);
    if (!deps.workspaceExists(workspaceId)) {
      fail(404, 'WorkspaceNotFoundError', `The workspace ${workspaceId} could not be found`);
      return true;
    }

    let query: string | undefined;
    let timespan: string | undefined;
    try {
      if (req.method === 'GET') {
        query = url.searchParams.get('query') ?? undefined;
        timespan = url.searchParams.get('timespan') ?? undefined;
      } else {
        const body = ((await readJson(req)) ?? {}) as Record<string, unknown>;
        query = typeof body.query === 'string' ? body.query : undefined;
        timespan = typeof body.timespan === 'string' ? body.timespan : undefined;
        if (Array.isArray(body.workspaces) && body.workspaces.length > 0) {
          fail(400, 'BadArgumentError', 'The request had some invalid properties', {
            innererror: {
              code: 'NotSupported',
              message: "The local cloud does not support cross-workspace queries ('workspaces' / additionalWorkspaces).",
            },
          });
          return true;
        }
      }
    } catch {
      fail(400, 'BadArgumentError', 'The request had some invalid properties', {
        innererror: { code: 'InvalidJson', message: 'The request body is not valid JSON.' },
      });
      return true;
    }
    if (!query) {
      fail(400, 'BadArgumentError', 'The request had some invalid properties', {
        innererror: { code: 'MissingQuery', message: "The 'query' property is required." },
      });
      return true;
    }
    const now = deps.now();
    const window = timespan === undefined ? undefined : parseTimespan(timespan, now);
    if (window === null) {
      fail(400, 'BadArgumentError', 'The request had some invalid properties', {
        innererror: { code: 'InvalidTimespan', message: `'${timespan}' is not an ISO 8601 duration or interval.` },
      });
      return true;
    }
    try {
      const parsed = parseKql(query);
      const table = store.visibleTable(workspaceId, parsed.table);
      if (!table)
        throw KqlError.semantic(`'${parsed.table}' operator: Failed to resolve table or column expression named '${parsed.table}'`);
      // Azure applies the timespan to TimeGenerated before the query runs.
      const rows = window
        ? table.rows.filter((r) => typeof r.TimeGenerated === 'number' && r.TimeGenerated >= window.start && r.TimeGenerated <= window.end)
        : table.rows;
      sendJson(
        res,
        200,
        { tables: [evaluate(parsed, { columns: table.columns, rows }, now)] },
        { 'x-ms-correlation-request-id': correlationId },
      );
    } catch (err) {
      if (!(err instanceof KqlError)) throw err;
      sendJson(res, 400, err.toResponse(correlationId), { 'x-ms-correlation-request-id': correlationId });
    }
    return true;
  };

  return Object.assign(handler, {
    ingest: (workspaceId: string, table: string, rows: Record<string, unknown>[]) => store.ingest(workspaceId, table, rows),
    upload: ingestion.upload,
    exportState: () => store.exportState(),
    importState: (state: LogStoreState) => store.importState(state),
  });
}

/** One optional ISO 8601 duration field: a decimal number and its unit letter. */
const durationField = (unit: string): string => `(?:(\\d+(?:\\.\\d+)?)${unit})?`;
const DURATION = new RegExp(
  `^P${durationField('Y')}${durationField('M')}${durationField('W')}${durationField('D')}` +
    `(?:T${durationField('H')}${durationField('M')}${durationField('S')})?$`,
  'i',
);
const DURATION_UNITS_MS = [365 * 86_400_000, 30 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000];

/** ISO 8601 duration in ms (years and months approximated as 365 and 30 days), or null. */
function parseDuration(text: string): number | null {
  const m = DURATION.exec(text.trim());
  if (!m || text.trim() === 'P' || /T$/i.test(text.trim())) return null;
  return DURATION_UNITS_MS.reduce((sum, unit, i) => sum + (m[i + 1] ? Number(m[i + 1]) * unit : 0), 0);
}

/**
 * The query window of a `timespan`: a duration ending now, or `start/end`, `start/duration`,
 * `duration/end` — the forms the SDK's convertTimespanToInterval produces. Null if malformed.
 */
export function parseTimespan(text: string, now: number): { start: number; end: number } | null {
  const parts = text.split('/');
  if (parts.length === 1) {
    const d = parseDuration(parts[0]);
    return d === null ? null : { start: now - d, end: now };
  }
  if (parts.length !== 2) return null;
  const [a, b] = parts;
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  if (!Number.isNaN(ta) && !Number.isNaN(tb)) return { start: ta, end: tb };
  if (!Number.isNaN(ta)) {
    const d = parseDuration(b);
    return d === null ? null : { start: ta, end: ta + d };
  }
  if (!Number.isNaN(tb)) {
    const d = parseDuration(a);
    return d === null ? null : { start: tb - d, end: tb };
  }
  return null;
}
