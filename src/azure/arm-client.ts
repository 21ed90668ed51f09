// Generic ARM by id, over the real SDK pipeline. We build ResourceManagementClient (lazily: each
// SDK import costs 130–260 ms) only for its pipeline — bearer auth, the SDK's throttling and
// exponential retry policies (Retry-After honoured), TLS trust for the local cloud — and send
// REST wire bodies ourselves: the graph's bodies are exactly what ARM receives, with an explicit
// api-version per type. (The SDK's own resources.createOrUpdateById serializer drops fields its
// GenericResource model lacks, e.g. a scale set's top-level `zones`; the new-generation family
// SDKs silently drop a nested `properties`.) See docs/provisioning.md.
import type { TokenCredential } from '@azure/core-auth';
import { AzureError } from '../core/errors.js';
import { hintForArmCode, toAzureError } from './arm-errors.js';
import { type ArmBody, LroFailedError, pollToCompletion, type RawResponse } from './lro.js';

export interface ArmTargetLike {
  subscriptionId: string;
  armEndpoint: string;
  credential: TokenCredential;
  caCertPem?: string;
}

export interface ArmClientOptions {
  /** LRO poll interval when the server sends no Retry-After (tests use a few ms). */
  pollIntervalMs?: number;
  /** SDK retry policy: attempts and delays for 429/5xx/network errors. */
  maxRetries?: number;
  retryDelayInMs?: number;
  maxRetryDelayInMs?: number;
  /** Called for every HTTP request actually sent (each retry included). */
  onRequest?: (method: string, url: string) => void;
}

/** Counts requests by method: the benchmark's and the no-op test's "zero writes". */
export class RequestCounter {
  reads = 0;
  writes = 0;
  readonly log: Array<{ method: string; url: string }> = [];
  record = (method: string, url: string): void => {
    if (isWrite(method, url)) this.writes++;
    else this.reads++;
    this.log.push({ method, url });
  };
}

/** A request that changes state: PUT/PATCH/DELETE and POST actions other than `/list…` reads. */
function isWrite(method: string, url: string): boolean {
  if (method === 'GET' || method === 'HEAD') return false;
  if (method === 'POST' && /\/list[A-Za-z]*(\?|$)/.test(`${new URL(url).pathname}?`)) return false;
  return true;
}

/** Thrown for a non-2xx answer; shaped like the SDK's RestError so toAzureError maps it. */
class ArmHttpError extends Error {
  override name = 'RestError';
  constructor(
    readonly statusCode: number,
    readonly code: string | undefined,
    message: string,
    readonly response: { headers: { get(n: string): string | undefined }; bodyAsText: string },
  ) {
    super(message);
  }
}

export interface ListedResource {
  id: string;
  type: string;
  tags?: Record<string, string>;
}

export interface ArmClient {
  readonly subscriptionId: string;
  /** The resource, or undefined on 404. */
  get(id: string, apiVersion: string, signal?: AbortSignal): Promise<unknown>;
  /** PUT and wait for the operation; returns the final resource. */
  put(id: string, apiVersion: string, body: unknown, signal?: AbortSignal): Promise<unknown>;
  patch(id: string, apiVersion: string, body: unknown, signal?: AbortSignal): Promise<unknown>;
  /** POST an action (`{id}/{action}`); waits for an operation if one is started. */
  post(id: string, action: string, apiVersion: string, body?: unknown, signal?: AbortSignal): Promise<unknown>;
  /** DELETE and wait; a 404 counts as done (idempotent down). */
  delete(id: string, apiVersion: string, signal?: AbortSignal): Promise<void>;
  /** Top-level resources of a resource group carrying tag name=value (all pages). */
  listByTag(resourceGroupId: string, tagName: string, tagValue: string, signal?: AbortSignal): Promise<ListedResource[]>;
  /** Every top-level resource of a resource group (all pages); [] when the group is gone. */
  listResourceGroup(resourceGroupId: string, signal?: AbortSignal): Promise<ListedResource[]>;
}

export async function createArmClient(target: ArmTargetLike, opts: ArmClientOptions = {}): Promise<ArmClient> {
  const [{ ResourceManagementClient }, { createPipelineRequest, createHttpHeaders }] = await Promise.all([
    import('@azure/arm-resources'),
    import('@azure/core-rest-pipeline'),
  ]);
  const sdk = new ResourceManagementClient(target.credential, target.subscriptionId, {
    endpoint: target.armEndpoint,
    ...(target.caCertPem ? { tlsOptions: { ca: target.caCertPem } } : {}),
    retryOptions: {
      maxRetries: opts.maxRetries ?? 6,
      retryDelayInMs: opts.retryDelayInMs ?? 800,
      maxRetryDelayInMs: opts.maxRetryDelayInMs ?? 30_000,
    },
  });
  if (opts.onRequest) {
    const onRequest = opts.onRequest;
    sdk.pipeline.addPolicy(
      {
        name: 'gpuarbRequestCounter',
        sendRequest: (req, next) => {
          onRequest(req.method, req.url);
          return next(req);
        },
      },
      { phase: 'Retry' },
    );
  }
  const base = target.armEndpoint.replace(/\/$/, '');
  const pollIntervalMs = opts.pollIntervalMs ?? 2000;

  const withVersion = (pathOrUrl: string, apiVersion?: string) => {
    const url = /^https?:/.test(pathOrUrl) ? pathOrUrl : `${base}${pathOrUrl}`;
    if (!apiVersion || /[?&]api-version=/.test(url)) return url;
    return `${url}${url.includes('?') ? '&' : '?'}api-version=${apiVersion}`;
  };

  const sendRaw = async (method: string, url: string, body?: unknown, signal?: AbortSignal): Promise<RawResponse> => {
    const req = createPipelineRequest({
      url,
      method: method as 'GET',
      headers: createHttpHeaders(body === undefined ? {} : { 'content-type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
      abortSignal: signal,
    });
    const res = await sdk.sendRequest(req);
    const text = res.bodyAsText ?? '';
    let parsed: ArmBody | undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    const out: RawResponse = { status: res.status, headers: { get: (n) => res.headers.get(n) }, body: parsed, bodyText: text };
    return out;
  };

  const check = (res: RawResponse, id: string): RawResponse => {
    if (res.status < 400) return res;
    const err = res.body?.error ?? {};
    throw toAzureError(
      new ArmHttpError(res.status, err.code, err.message ?? `HTTP ${res.status}`, { headers: res.headers, bodyAsText: res.bodyText }),
      id,
    );
  };

  const operation = async (method: string, id: string, url: string, body: unknown, apiVersion: string, signal?: AbortSignal) => {
    const send = async (m: string, u: string, b?: unknown) =>
      check(await sendRaw(m, withVersion(u, m === 'GET' && u !== url ? undefined : apiVersion), b, signal), id);
    const initial = await send(method, url, body);
    try {
      return await pollToCompletion(send, method, url, initial, { intervalMs: pollIntervalMs, signal });
    } catch (e) {
      if (e instanceof LroFailedError) {
        throw new AzureError(e.message, {
          armCode: e.armCode,
          requestId: e.requestId,
          resourceId: id,
          hint: hintForArmCode(e.armCode),
          cause: e,
        });
      }
      throw e;
    }
  };

  return {
    subscriptionId: target.subscriptionId,
    async get(id, apiVersion, signal) {
      const res = await sendRaw('GET', withVersion(id, apiVersion), undefined, signal);
      if (res.status === 404) return undefined;
      return check(res, id).body;
    },
    put: (id, apiVersion, body, signal) => operation('PUT', id, id, body, apiVersion, signal),
    patch: (id, apiVersion, body, signal) => operation('PATCH', id, id, body, apiVersion, signal),
    post: (id, action, apiVersion, body, signal) => operation('POST', id, `${id}/${action}`, body, apiVersion, signal),
    async delete(id, apiVersion, signal) {
      const res = await sendRaw('DELETE', withVersion(id, apiVersion), undefined, signal);
      if (res.status === 404 || res.status === 204) return;
      check(res, id);
      try {
        await pollToCompletion(async (m, u) => check(await sendRaw(m, withVersion(u), undefined, signal), id), 'DELETE', id, res, {
          intervalMs: pollIntervalMs,
          signal,
        });
      } catch (e) {
        if (e instanceof LroFailedError)
          throw new AzureError(e.message, { armCode: e.armCode, resourceId: id, hint: hintForArmCode(e.armCode), cause: e });
        throw e;
      }
    },
    listByTag(resourceGroupId, tagName, tagValue, signal) {
      return listAll(resourceGroupId, encodeURIComponent(`tagName eq '${tagName}' and tagValue eq '${tagValue}'`), signal);
    },
    listResourceGroup: (resourceGroupId, signal) => listAll(resourceGroupId, undefined, signal),
  };

  async function listAll(resourceGroupId: string, filter: string | undefined, signal?: AbortSignal): Promise<ListedResource[]> {
    let url: string | undefined = withVersion(`${resourceGroupId}/resources${filter ? `?$filter=${filter}` : ''}`, '2025-04-01');
    const out: ListedResource[] = [];
    while (url) {
      const res = await sendRaw('GET', url, undefined, signal);
      if (res.status === 404) return out;
      check(res, resourceGroupId);
      out.push(...((res.body?.value ?? []) as ListedResource[]));
      url = res.body?.nextLink;
    }
    return out;
  }
}
