// The Logs Ingestion API (`POST {endpoint}/dataCollectionRules/{immutableId}/streams/{stream}
// ?api-version=2023-01-01`), the only way rows reach a custom table: the rule must exist, declare
// the stream and route it to a workspace table, and the caller must hold Monitoring Metrics
// Publisher on the rule. Columns are those of the stream declaration; the table keeps its own.
// The endpoint is the DCE's `logsIngestion.endpoint` (`<origin>/logs-ingestion/<dce>`) or the
// bare origin. `upload` is the same path for in-process writers (the local cloud's collector).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DataPlaneHandler, LogsIngestionDeps } from './deps.js';
import { bearerToken, guid, readJson, sendJson } from './http-util.js';
import type { LogStore } from './log-store.js';

export const LOGS_INGESTION_AUDIENCE = 'https://monitor.azure.com';
const INGEST_PATH = /^(?:\/logs-ingestion\/[^/]+)?\/dataCollectionRules\/([^/]+)\/streams\/([^/]+)\/?$/;

export interface IngestOutcome {
  status: number;
  error?: { code: string; message: string };
}

export function createLogsIngestion(deps: LogsIngestionDeps, store: LogStore) {
  /** Checks and routes one upload; 204 on success, else Azure's status and error. */
  const upload = (principalId: string, immutableId: string, stream: string, body: unknown): IngestOutcome => {
    const rule = deps.rule(immutableId);
    if (!rule)
      return { status: 404, error: { code: 'NotFound', message: `Data collection rule with immutable Id '${immutableId}' not found.` } };
    if (!deps.mayIngest(principalId, rule.id))
      return {
        status: 403,
        error: {
          code: 'OperationFailed',
          message:
            `The authentication token provided does not have access to ingest data for the data collection rule with immutable Id '${immutableId}'. ` +
            `Required authorization action was not found for objectId ${principalId} on resourceId ${rule.id}.`,
        },
      };
    const declared = rule.streams[stream];
    if (!declared)
      return {
        status: 400,
        error: {
          code: 'InvalidStream',
          message: `Stream '${stream}' is not declared in data collection rule '${immutableId}' (declared: ${Object.keys(rule.streams).join(', ') || 'none'}).`,
        },
      };
    if (!Array.isArray(body) || body.some((r) => r === null || typeof r !== 'object' || Array.isArray(r)))
      return { status: 400, error: { code: 'InvalidRequest', message: 'The request body must be a JSON array of objects.' } };
    const names = new Set(declared.map((c) => c.name));
    const rows = (body as Record<string, unknown>[]).map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => names.has(k))));
    for (const flow of rule.flows.filter((f) => f.streams.includes(stream))) {
      // The rule was validated against its tables when written; a table deleted since drops the rows.
      if (flow.workspaceId && store.columns(flow.workspaceId, flow.table)) store.ingest(flow.workspaceId, flow.table, rows);
    }
    return { status: 204 };
  };

  const handler: DataPlaneHandler = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const match = INGEST_PATH.exec(url.pathname);
    if (!match) return false;
    const requestId = guid(deps.random);
    const fail = (status: number, code: string, message: string) =>
      sendJson(res, status, { error: { code, message } }, { 'x-ms-request-id': requestId });
    if (req.method !== 'POST') {
      fail(405, 'MethodNotAllowed', `The Logs Ingestion API accepts POST only, not ${req.method}.`);
      return true;
    }
    if (!url.searchParams.get('api-version')) {
      fail(400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required, e.g. '2023-01-01'.");
      return true;
    }
    const token = bearerToken(req);
    const principal = token === undefined ? undefined : deps.principalOf(token);
    if (!principal) {
      fail(401, 'InvalidAuthenticationToken', `A valid bearer token for audience '${LOGS_INGESTION_AUDIENCE}' is required.`);
      return true;
    }
    let body: unknown;
    try {
      body = await readJson(req);
    } catch {
      fail(400, 'InvalidRequest', 'The request body is not valid JSON.');
      return true;
    }
    const outcome = upload(principal, decodeURIComponent(match[1]), decodeURIComponent(match[2]), body);
    if (outcome.error) fail(outcome.status, outcome.error.code, outcome.error.message);
    else {
      res.writeHead(204, { 'x-ms-request-id': requestId });
      res.end();
    }
    return true;
  };
  return { handler, upload };
}
