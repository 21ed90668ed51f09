// The agent's HTTP server on node:http (no framework: every microsecond here is added to each
// request). Health probes are open; everything else needs the internal service key.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { HEADER_REQUEST_ID } from '../../contracts/headers.js';
import { requestIdOrNew } from '../../contracts/request-id.js';
import { isAuthorized, type KeySource } from '../auth/key-source.js';
import { EngineRequestError, type Engine } from '../engines/engine.js';
import type { ReplicaLifecycle } from '../lifecycle.js';
import type { Logger } from '../log.js';
import type { AgentMetrics } from '../metrics.js';
import { handleGenerate, type GenerationOutcome } from './openai-routes.js';
import {
  DEFAULT_BODY_IDLE_MS,
  DEFAULT_HEADERS_MS,
  DEFAULT_MAX_UNAUTHENTICATED_CONNECTIONS,
  DEFAULT_RECEIVE_MS,
  type SlowClientLimits,
  capUnauthenticatedConnections,
  slowClientServerOptions,
} from '../../contracts/slow-clients.js';
import { HttpError, sendError, sendJson, sendText } from './respond.js';

export interface AgentServerDeps {
  engine: Engine;
  keys: KeySource;
  lifecycle: ReplicaLifecycle;
  metrics: AgentMetrics;
  log: Logger;
  maxBodyBytes: number;
  /** Timeouts for callers that send slowly (defaults: contracts/slow-clients.ts). */
  slowClients?: SlowClientLimits;
  defaultMaxTokens: number;
  retryAfterSeconds: number;
  publicMetrics: boolean;
  logContent: boolean;
  accessLog: boolean;
  /** Extra live values for /metrics (the registry's health). */
  registryUp: () => boolean;
}

const GENERATE_ROUTES: Record<string, 'chat' | 'completion'> = { '/v1/chat/completions': 'chat', '/v1/completions': 'completion' };

function toHttpError(err: unknown): HttpError | null {
  if (err instanceof HttpError) return err;
  if (err instanceof EngineRequestError) {
    const headers: Record<string, string> = err.retryAfterSeconds !== undefined ? { 'retry-after': String(err.retryAfterSeconds) } : {};
    const type = err.status === 503 ? 'service_unavailable' : err.status >= 500 ? 'server_error' : 'invalid_request_error';
    return new HttpError(err.status, err.message, type, err.param, err.code, headers);
  }
  return null;
}

export function createAgentServer(deps: AgentServerDeps): Server {
  const { engine, lifecycle, metrics, log } = deps;
  const slow = deps.slowClients ?? { receiveMs: DEFAULT_RECEIVE_MS, headersMs: DEFAULT_HEADERS_MS, bodyIdleMs: DEFAULT_BODY_IDLE_MS };
  // Strangers' connections (only the gateways hold the key) are capped; set once the server exists.
  let markAuthenticated: (socket: Socket) => void = () => {};
  const unavailable = (code: string, message: string) =>
    new HttpError(503, message, 'service_unavailable', null, code, { 'retry-after': String(deps.retryAfterSeconds) });

  const health = (res: ServerResponse, ok: boolean) =>
    sendJson(res, ok ? 200 : 503, { status: lifecycle.state(), engine: engine.status(), draining: lifecycle.isDraining() });

  async function route(req: IncomingMessage, res: ServerResponse, path: string, requestId: string): Promise<GenerationOutcome | undefined> {
    switch (path) {
      case '/health/live':
        sendJson(res, 200, { status: 'live' });
        return;
      case '/health/startup':
        health(res, lifecycle.started());
        return;
      case '/health/ready':
        health(res, lifecycle.ready());
        return;
      // Application Health extension (rich states): always 200, the state is in the body.
      case '/health/app':
        sendJson(res, 200, { ApplicationHealthState: lifecycle.applicationHealthState() });
        return;
    }
    const isMetrics = path === '/metrics';
    if (!(isMetrics && deps.publicMetrics) && !isAuthorized(req.headers.authorization, deps.keys)) {
      throw new HttpError(
        401,
        'Incorrect API key provided. This endpoint needs the internal service key as "Authorization: Bearer <key>".',
        'authentication_error',
        null,
        'invalid_api_key',
      );
    }
    markAuthenticated(req.socket);
    if (isMetrics) {
      const load = engine.load();
      sendText(
        res,
        200,
        metrics.render({
          state: lifecycle.state(),
          queue: load.waiting,
          running: load.running,
          cacheUsage: load.cacheUsage,
          registryUp: deps.registryUp(),
        }),
        'text/plain; version=0.0.4; charset=utf-8',
      );
      return;
    }
    if (path === '/v1/models') {
      if (req.method !== 'GET')
        throw new HttpError(405, `Method ${req.method} not allowed on ${path}.`, 'invalid_request_error', null, 'method_not_allowed');
      sendJson(res, 200, { object: 'list', data: [{ id: engine.model, object: 'model', created: 0, owned_by: 'gpuarb' }] });
      return;
    }
    const kind = GENERATE_ROUTES[path];
    if (!kind) throw new HttpError(404, `Unknown request URL: ${req.method} ${path}.`, 'not_found_error', null, 'unknown_url');
    if (req.method !== 'POST')
      throw new HttpError(
        405,
        `Method ${req.method} not allowed on ${path}; use POST.`,
        'invalid_request_error',
        null,
        'method_not_allowed',
      );
    if (lifecycle.isDraining())
      throw unavailable('replica_draining', 'This replica is draining (spot eviction or shutdown); retry on another replica.');
    if (!lifecycle.ready()) throw unavailable('replica_starting', 'This replica is still loading its model; retry on another replica.');
    return handleGenerate(
      kind,
      req,
      res,
      requestId,
      { engine, maxBodyBytes: deps.maxBodyBytes, bodyIdleMs: slow.bodyIdleMs, defaultMaxTokens: deps.defaultMaxTokens },
      deps.logContent,
    );
  }

  const server = createServer({ keepAliveTimeout: 65_000, ...slowClientServerOptions(slow) }, (req, res) => {
    const started = performance.now();
    const requestId = requestIdOrNew(req.headers[HEADER_REQUEST_ID]);
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const isGeneration = path in GENERATE_ROUTES;
    if (isGeneration) {
      lifecycle.requestStarted();
      metrics.inFlight++;
    }
    res.setHeader(HEADER_REQUEST_ID, requestId);
    let outcome: GenerationOutcome | undefined;
    route(req, res, path, requestId)
      .then((o) => {
        outcome = o;
      })
      .catch((err: unknown) => {
        const httpErr = toHttpError(err);
        if (res.destroyed || (res.writableEnded && !httpErr)) {
          // the client left mid-request
          if (isGeneration) metrics.cancelled.inc();
          return;
        }
        if (httpErr) {
          // A refusal before the body was read (no key, wrong route): close rather than wait for the rest.
          if (!req.complete && !res.headersSent) res.setHeader('connection', 'close');
          sendError(res, httpErr);
          return;
        }
        log.error('request failed', { requestId, path, err });
        sendError(
          res,
          new HttpError(500, 'The server had an error while processing your request.', 'server_error', null, 'internal_error'),
        );
      })
      .finally(() => {
        const finish = () => {
          if (isGeneration) {
            lifecycle.requestFinished();
            metrics.inFlight--;
          }
          record(path, req.method ?? 'GET', res.statusCode, performance.now() - started, requestId, outcome);
        };
        if (res.writableFinished || res.destroyed) finish();
        else res.once('close', finish);
      });
  });

  markAuthenticated = capUnauthenticatedConnections(server, DEFAULT_MAX_UNAUTHENTICATED_CONNECTIONS);
  return server;

  function record(path: string, method: string, status: number, ms: number, requestId: string, o: GenerationOutcome | undefined): void {
    if (path.startsWith('/health/')) return; // probes every few seconds would drown the log
    const routeLabel = path in GENERATE_ROUTES || path === '/v1/models' || path === '/metrics' ? path : 'other';
    metrics.requests.inc({ route: routeLabel, status: String(status) });
    metrics.latency.observe(ms / 1000, { route: routeLabel });
    if (o) {
      metrics.tokens.inc({ kind: 'prompt' }, o.promptTokens);
      metrics.tokens.inc({ kind: 'completion' }, o.completionTokens);
      metrics.tokenRate.add(o.completionTokens);
      if (o.ttftMs !== null) metrics.ttft.observe(o.ttftMs / 1000);
      if (o.finishReason === 'cancelled') metrics.cancelled.inc();
    }
    if (!deps.accessLog) return;
    log.info('request', {
      requestId,
      method,
      path,
      status,
      ms: Math.round(ms * 100) / 100,
      ...(o
        ? { model: o.model, stream: o.stream, promptTokens: o.promptTokens, completionTokens: o.completionTokens, finish: o.finishReason }
        : {}),
      ...(o && deps.logContent ? { prompt: o.prompt, completion: o.completion } : {}),
    });
  }
}
