// Azure Resource Graph's query API (`POST /providers/Microsoft.ResourceGraph/resources`) over the
// SAMPLE SpotResources table, and the Spot Placement Score API
// (`POST /subscriptions/{s}/providers/Microsoft.Compute/locations/{l}/placementScores/spot/generate`).
// Both are ARM paths (bearer token, api-version), so the core routes them here; both answer with
// Azure's envelopes and label every answer as sample data. See docs/emulator.md.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readJson, sendJson } from './http-util.js';
import { ResourceGraphQueryError, runResourceGraphQuery } from './resource-graph-query.js';
import { sampleBand, sampleScore, sampleSpotRows, SPOT_SAMPLE_NOTICE } from './resource-graph-sample.js';

export const RESOURCE_GRAPH_PATH = /^\/providers\/Microsoft\.ResourceGraph\/resources$/i;
export const PLACEMENT_SCORES_PATH =
  /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.Compute\/locations\/([^/]+)\/placementScores\/spot\/generate$/i;
export const RESOURCE_GRAPH_API_VERSIONS = ['2019-04-01', '2021-03-01', '2022-10-01', '2024-04-01'];
export const PLACEMENT_SCORES_API_VERSIONS = ['2025-06-05'];
/** Resource Graph returns at most 1000 rows a page, 100 unless `$top` says otherwise. */
const MAX_TOP = 1000;
const DEFAULT_TOP = 100;
const MAX_LOCATIONS = 8;
const MAX_SIZES = 5;

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL, match: RegExpExecArray) => Promise<void>;

const labelled = { 'x-gpuarb-sample-data': SPOT_SAMPLE_NOTICE };

function fail(res: ServerResponse, status: number, code: string, message: string, detail?: string): void {
  sendJson(res, status, { error: { code, message, ...(detail ? { details: [{ code: detail, message }] } : {}) } }, labelled);
}

function versionOk(res: ServerResponse, url: URL, supported: string[]): boolean {
  const v = url.searchParams.get('api-version') ?? '';
  if (supported.includes(v)) return true;
  fail(res, 400, 'InvalidApiVersionParameter', `The api-version '${v}' is invalid. The supported versions are '${supported.join(',')}'.`);
  return false;
}

async function body(req: IncomingMessage, res: ServerResponse): Promise<Record<string, unknown> | undefined> {
  try {
    const b = await readJson(req);
    if (b && typeof b === 'object' && !Array.isArray(b)) return b as Record<string, unknown>;
  } catch {
    // fall through to the error below
  }
  fail(res, 400, 'InvalidRequestContent', 'The request content was invalid and could not be deserialized.');
  return undefined;
}

/** `$skipToken` is opaque to clients; here it is the next row's offset, base64-encoded. */
const encodeSkip = (n: number) => Buffer.from(JSON.stringify({ offset: n })).toString('base64');
function decodeSkip(token: unknown): number | undefined {
  if (typeof token !== 'string') return undefined;
  try {
    const n = JSON.parse(Buffer.from(token, 'base64').toString('utf8')).offset;
    return Number.isInteger(n) && n >= 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

export function createResourceGraphHandler(deps: { subscriptionId: string; now(): number }): Handler {
  return async (req, res, url) => {
    if (!versionOk(res, url, RESOURCE_GRAPH_API_VERSIONS)) return;
    const b = await body(req, res);
    if (!b) return;
    if (typeof b.query !== 'string' || !b.query.trim()) return fail(res, 400, 'BadRequest', 'The query is required.', 'InvalidQuery');
    const subs = Array.isArray(b.subscriptions) ? (b.subscriptions as unknown[]).map(String) : [deps.subscriptionId];
    const options = (b.options ?? {}) as Record<string, unknown>;
    const top = Math.min(MAX_TOP, Math.max(1, Number(options.$top ?? DEFAULT_TOP) || DEFAULT_TOP));
    const skip = decodeSkip(options.$skipToken) ?? Math.max(0, Number(options.$skip ?? 0) || 0);
    if (options.resultFormat === 'table')
      return fail(res, 400, 'BadRequest', "The gpuarb local cloud answers resultFormat 'objectArray' only.", 'UnsupportedResultFormat');
    let rows: Record<string, unknown>[];
    try {
      // SpotResources is not scoped to resources the caller owns; the local cloud has one subscription.
      const table = subs.some((s) => s.toLowerCase() === deps.subscriptionId.toLowerCase())
        ? (sampleSpotRows(deps.subscriptionId, deps.now()) as unknown as Record<string, unknown>[])
        : [];
      rows = runResourceGraphQuery(b.query, table);
    } catch (e) {
      if (!(e instanceof ResourceGraphQueryError)) throw e;
      return fail(res, 400, 'BadRequest', `Query is invalid: ${e.message}`, 'InvalidQuery');
    }
    const page = rows.slice(skip, skip + top);
    const more = skip + top < rows.length;
    sendJson(
      res,
      200,
      {
        totalRecords: rows.length,
        count: page.length,
        resultTruncated: 'false',
        ...(more ? { $skipToken: encodeSkip(skip + top) } : {}),
        facets: [],
        data: page,
        sampleData: SPOT_SAMPLE_NOTICE,
      },
      labelled,
    );
  };
}

export function createPlacementScoresHandler(): Handler {
  return async (req, res, url) => {
    if (!versionOk(res, url, PLACEMENT_SCORES_API_VERSIONS)) return;
    const b = await body(req, res);
    if (!b) return;
    const locations = Array.isArray(b.desiredLocations) ? (b.desiredLocations as unknown[]).map(String) : [];
    const sizes = Array.isArray(b.desiredSizes) ? (b.desiredSizes as { sku?: unknown }[]).map((s) => String(s?.sku ?? '')) : [];
    const count = Number(b.desiredCount);
    const zonal = b.availabilityZones === true;
    const problem =
      !locations.length || locations.length > MAX_LOCATIONS
        ? `desiredLocations must list 1 to ${MAX_LOCATIONS} regions.`
        : !sizes.length || sizes.length > MAX_SIZES || sizes.some((s) => !s)
          ? `desiredSizes must list 1 to ${MAX_SIZES} VM sizes, each with a sku.`
          : !Number.isInteger(count) || count < 1
            ? 'desiredCount must be a positive integer.'
            : undefined;
    if (problem) return fail(res, 400, 'BadRequest', problem, 'InvalidParameter');
    const placementScores = locations.flatMap((region) =>
      sizes.flatMap((sku) => {
        const band = sampleBand(sku, region);
        const score = band ? sampleScore(band, count) : 'DataNotFoundOrStale';
        const zones = zonal ? ['1', '2', '3'] : [undefined];
        return zones.map((z) => ({ sku, region, ...(z ? { availabilityZone: z } : {}), score, isQuotaAvailable: true }));
      }),
    );
    sendJson(
      res,
      200,
      {
        desiredLocations: locations,
        desiredSizes: sizes.map((sku) => ({ sku })),
        desiredCount: count,
        availabilityZones: zonal,
        placementScores,
        sampleData: SPOT_SAMPLE_NOTICE,
      },
      labelled,
    );
  };
}
