// The local API Management gateway: an HTTPS proxy that enforces the policy XML gpuarb generated
// (subscription keys, rate-limit, quota, set-header, set-backend-service, forward-request) and
// streams answers unbuffered. Its own refusals (no operation, key, rate limit, quota) raise API
// Management's predefined errors and run the policy's on-error section, as Azure does; without a
// matching on-error answer they use API Management's default JSON shape {statusCode, message}.
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { renderValue, type ExpressionContext } from './expressions.js';
import { LimitCounters } from './limits.js';
import type { ApimApi, ApimModel, ApimSubscription } from './model.js';
import { runOnError } from './on-error-run.js';
import { compose, EMPTY_POLICY, parsePolicy, PolicyError, type Policy } from './policy.js';

/** A predefined error of API Management's built-in steps and policies (context.LastError). */
interface RaisedError {
  source: string;
  reason: string;
  message: string;
  status: number;
  headers?: Record<string, string>;
  variables?: Record<string, number>;
}

const OPERATION_NOT_FOUND = { source: 'configuration', reason: 'OperationNotFound', status: 404 } as const;

export interface ApimProxyOptions {
  model: () => ApimModel | Promise<ApimModel>;
  tls: { key: string; cert: string };
  /** CA that backend https certificates chain to (the local cloud's). */
  backendCa?: string;
  /** Maps a backend URL from ARM (e.g. https://func-x.azurewebsites.net/api/v1) to where it runs locally. */
  resolveBackend?: (url: string) => string;
  now?: () => number;
  port?: number;
  /**
   * After this long without a byte, Azure's network drops the connection, which is why
   * forward-request timeouts above 240 s "may not be honored" (Microsoft's forward-request
   * policy page). Default 240 s; tests shrink it.
   */
  idleDropMs?: number;
}

/** Azure's idle limit in front of API Management's backends (see `idleDropMs`). */
export const FORWARD_IDLE_LIMIT_MS = 240_000;

export interface ApimProxy {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const policyCache = new Map<string, Policy>();
const parseCached = (xml: string | undefined): Policy => {
  if (!xml) return EMPTY_POLICY;
  let p = policyCache.get(xml);
  if (!p) {
    p = parsePolicy(xml);
    policyCache.set(xml, p);
  }
  return p;
};

function sameKey(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function apimError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ statusCode: status, message }));
}

export async function startApimProxy(opts: ApimProxyOptions): Promise<ApimProxy> {
  const limits = new LimitCounters(opts.now);
  const server = createServer({ key: opts.tls.key, cert: opts.tls.cert }, (req, res) => {
    handle(req, res).catch((e) =>
      apimError(
        res,
        e instanceof PolicyError ? 500 : 500,
        e instanceof PolicyError ? `Policy error: ${e.message}` : 'Internal server error',
      ),
    );
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const model = await opts.model();
    const url = new URL(req.url ?? '/', 'https://apim.local');
    const requestId = randomUUID();
    const fail = (policy: Policy, e: RaisedError, ctx: Partial<ExpressionContext> = {}) => {
      const exprCtx: ExpressionContext = {
        RequestId: requestId,
        ...ctx,
        LastError: { Source: e.source, Reason: e.reason, Message: e.message },
        Variables: e.variables,
      };
      if (!runOnError(policy.onError, exprCtx, res, (n) => model.namedValues[n])) apimError(res, e.status, e.message, e.headers);
    };
    const global = parseCached(model.globalPolicyXml);
    const api = model.apis.find((a) => url.pathname === `/${a.path}` || url.pathname.startsWith(`/${a.path}/`));
    if (!api) return fail(global, { ...OPERATION_NOT_FOUND, message: 'Resource not found' });
    const apiPolicy = compose(global, parseCached(api.policyXml));
    const rest = url.pathname.slice(api.path.length + 1);
    if (api.operations && !api.operations.some((o) => o.method === req.method && o.pattern.test(rest || '/')))
      return fail(apiPolicy, { ...OPERATION_NOT_FOUND, message: 'Unable to match incoming request to an operation.' });
    const sub = api.subscriptionRequired ? findSubscription(model, api, req, url) : undefined;
    if (api.subscriptionRequired && typeof sub === 'string')
      return fail(apiPolicy, {
        source: 'authorization',
        reason: sub.includes('missing') ? 'SubscriptionKeyNotFound' : 'SubscriptionKeyInvalid',
        message: sub,
        status: 401,
      });
    const subscription = sub as ApimSubscription | undefined;
    const product = subscription ? model.products.find((p) => subscription.scope.endsWith(`/products/${p.name}`)) : undefined;

    let policy = compose(global, product ? parseCached(product.policyXml) : EMPTY_POLICY);
    policy = compose(policy, parseCached(api.policyXml));
    const verdict = limits.check(subscription?.sid ?? 'anonymous', policy.inbound);
    if (!verdict.ok)
      return fail(policy, {
        source: verdict.reason === 'RateLimitExceeded' ? 'rate-limit' : 'quota',
        reason: verdict.reason,
        message: verdict.message,
        status: verdict.status,
        headers: { 'retry-after': String(verdict.retryAfterSeconds) },
        variables: verdict.retryAfterVariable ? { [verdict.retryAfterVariable]: verdict.retryAfterSeconds } : undefined,
      });

    const exprCtx: ExpressionContext = {
      RequestId: requestId,
      Subscription: subscription ? { Id: subscription.sid, Name: subscription.displayName, Key: subscription.primaryKey } : undefined,
      Product: product ? { Id: product.name, Name: product.name } : undefined,
      Api: { Id: api.name, Name: api.name, Path: api.path },
    };
    const headers: Record<string, string | string[] | undefined> = { ...req.headers };
    // The subscription key is API Management's, never the backend's.
    delete headers[api.keyHeader.toLowerCase()];
    delete headers.host;
    let backendBase: string | undefined;
    for (const step of policy.inbound) {
      if (step.kind === 'set-header') applyHeader(headers, step, exprCtx, model);
      else if (step.kind === 'set-backend-service') {
        backendBase = step.baseUrl ?? model.backends[step.backendId ?? '']?.url;
        if (!backendBase) throw new PolicyError(`backend "${step.backendId}" does not exist in this API Management service`);
      }
    }
    if (!backendBase) return apimError(res, 500, 'No backend service is set for this API');
    const forward = policy.backend.find((s) => s.kind === 'forward-request');
    const idleDropMs = opts.idleDropMs ?? FORWARD_IDLE_LIMIT_MS;
    // `timeout` bounds the wait for the backend's response headers; past the idle limit the
    // network has dropped the connection whatever the policy says.
    const timeoutMs = Math.min((forward && forward.kind === 'forward-request' ? forward.timeoutSeconds : 300) * 1000, idleDropMs);
    url.searchParams.delete(api.keyQuery);
    const target = new URL((opts.resolveBackend ?? ((u) => u))(backendBase.replace(/\/$/, '')) + rest + (url.search ? url.search : ''));
    proxyTo(target, req, res, headers, timeoutMs, idleDropMs);
  }

  function findSubscription(model: ApimModel, api: ApimApi, req: IncomingMessage, url: URL): ApimSubscription | string {
    const key = (req.headers[api.keyHeader.toLowerCase()] as string | undefined) ?? url.searchParams.get(api.keyQuery) ?? undefined;
    if (!key) return 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.';
    const sub = model.subscriptions.find((s) => sameKey(s.primaryKey, key) || sameKey(s.secondaryKey, key));
    const inScope = (s: ApimSubscription) =>
      s.scope.endsWith('/apis') ||
      s.scope.endsWith(`/apis/${api.name}`) ||
      model.products.some((p) => s.scope.endsWith(`/products/${p.name}`) && p.apis.includes(api.name) && p.state === 'published');
    if (sub?.state !== 'active' || !inScope(sub))
      return 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.';
    return sub;
  }

  function applyHeader(
    headers: Record<string, string | string[] | undefined>,
    step: Extract<Policy['inbound'][number], { kind: 'set-header' }>,
    ctx: ExpressionContext,
    model: ApimModel,
  ) {
    const name = step.name.toLowerCase();
    if (step.existsAction === 'delete') return void delete headers[name];
    if (step.existsAction === 'skip' && headers[name] !== undefined) return;
    const values = step.values.map((v) => renderValue(v, ctx, (n) => model.namedValues[n]));
    headers[name] =
      step.existsAction === 'append' && headers[name] !== undefined
        ? [...([] as string[]).concat(headers[name] as string), ...values]
        : values.join(',');
  }

  function proxyTo(
    target: URL,
    req: IncomingMessage,
    res: ServerResponse,
    headers: Record<string, string | string[] | undefined>,
    timeoutMs: number,
    idleDropMs: number,
  ) {
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const headerTimer = setTimeout(() => upstream.destroy(new Error('backend timeout')), timeoutMs);
    // A stream keeps going as long as bytes flow: only silence longer than the idle limit ends it.
    const upstream = send(target, { method: req.method, headers, ca: opts.backendCa, timeout: idleDropMs }, (up) => {
      clearTimeout(headerTimer);
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('close', () => clearTimeout(headerTimer));
    upstream.on('timeout', () => upstream.destroy(new Error('backend connection idle')));
    upstream.on('error', () => apimError(res, 500, 'The backend service could not be reached'));
    req.pipe(upstream);
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
