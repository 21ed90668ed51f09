// The gateway's one request handler, hosted by node:http (node-host.ts) and by Azure Functions
// (functions/index.ts). It never throws: every failure becomes an answer in OpenAI's error shape
// carrying the request id.
//
// It takes any web Request, reading only the part that GatewayRequest names, so the Functions
// host passes a real one while the node:http host passes a lighter object with the body already
// buffered: building an undici Request (and its abort wiring) cost more per request than the
// whole routing step (bench/gateway.mjs). For the same reason it answers with an Answer
// (answer.ts), not a web Response; webHandler() gives the web-standard Request → Response face.
import { requestIdOrNew } from '../contracts/request-id.js';
import { HEADER_CACHE, HEADER_REQUEST_ID, HEADER_SERVER_TIMING } from '../contracts/headers.js';
import { REQUEST_MESSAGE } from '../contracts/log-schema.js';
import type { GatewayContext } from './context.js';
import { GatewayError, badRequest, errorAnswer } from './errors.js';
import { authenticate } from './trust.js';
import { health } from './health.js';
import { chatCompletions } from './chat-completions.js';
import { parseJsonObject, readBodyBytes, readJsonObject, validateChatBody } from './request-body.js';
import { jsonAnswer, toResponse, type Answer } from './answer.js';
import type { GatewayRequest } from './gateway-request.js';
import type { AgentTiming } from './chat-completions.js';

export type Handler = (req: GatewayRequest) => Promise<Answer>;
/** The same handler with a web-standard face: Request in, Response out. */
export type WebHandler = (req: Request) => Promise<Response>;

export function webHandler(handle: Handler): WebHandler {
  return async (req) => toResponse(await handle(req));
}

export function createHandler(ctx: GatewayContext): Handler {
  return async (req) => {
    const requestId = requestIdOrNew(req.headers.get(HEADER_REQUEST_ID));
    const started = performance.now();
    const timing: AgentTiming = {};
    ctx.inFlight.count++;
    let settled: Promise<void> | undefined;
    let res: Answer;
    let customer: string | undefined;
    let model: string | undefined;
    try {
      const path = pathOf(req.url);
      if (path.startsWith('/health/')) {
        res = (req.method === 'GET' && (await health(ctx, path.slice(8)))) || notFound(path);
      } else {
        customer = await authenticate(req.headers, ctx.backendSecret);
        req.authenticated?.();
        res = await route(
          ctx,
          req,
          path,
          requestId,
          customer,
          (m) => (model = m),
          (p) => (settled = p),
          timing,
        );
      }
    } catch (err) {
      res = failure(ctx, err, requestId);
      if (customer && model !== undefined) settled = ctx.meter.record(customer, model, { requests: 1, errors: 1 });
    }
    res.headers[HEADER_REQUEST_ID] ??= requestId;
    res.headers[HEADER_SERVER_TIMING] = serverTiming(performance.now() - started, timing.agentMs);
    void (settled ?? Promise.resolve()).finally(() => ctx.inFlight.count--);
    // One line per request (contracts/log-schema.ts REQUEST_MESSAGE): `status` counts traffic,
    // errors and cache hits from these lines, so none may be skipped.
    ctx.log.info(REQUEST_MESSAGE, {
      requestId,
      method: req.method,
      path: pathOf(req.url),
      status: res.status,
      cache: res.headers[HEADER_CACHE],
      customer,
      model,
      ms: Math.round(performance.now() - started),
    });
    return res;
  };
}

async function route(
  ctx: GatewayContext,
  req: GatewayRequest,
  path: string,
  requestId: string,
  customer: string,
  noteModel: (m: string) => void,
  onSettled: (p: Promise<void>) => void,
  timing: AgentTiming,
): Promise<Answer> {
  if (path === '/v1/chat/completions') {
    if (req.method !== 'POST') throw methodNotAllowed(req.method, path);
    const bytes = await readBodyBytes(req, ctx.cfg.limits.maxBodyBytes);
    const body = parseJsonObject(bytes);
    // Errors after this point are metered against the model the client asked for (or "(unknown)").
    noteModel((typeof body.model === 'string' ? ctx.router.byName(body.model)?.name : undefined) ?? '(unknown)');
    validateChatBody(body);
    return chatCompletions(ctx, { body, bytes, customer, requestId, headers: req.headers, signal: req.signal, onSettled, timing });
  }
  if (path === '/v1/models') {
    if (req.method !== 'GET') throw methodNotAllowed(req.method, path);
    const created = Math.floor(ctx.startedAt / 1000);
    const data = [...ctx.cfg.auto.names, ...ctx.router.modelNames()].map((id) => ({ id, object: 'model', created, owned_by: 'gpuarb' }));
    return jsonAnswer(200, { object: 'list', data });
  }
  if (path === '/v1/jobs' || path.startsWith('/v1/jobs/')) {
    if (!ctx.jobs)
      throw new GatewayError({
        status: 503,
        type: 'server_error',
        code: 'jobs_unavailable',
        message: 'async jobs are not configured on this gateway',
      });
    if (path === '/v1/jobs') {
      if (req.method !== 'POST') throw methodNotAllowed(req.method, path);
      const body = await readJsonObject(req, ctx.cfg.limits.maxBodyBytes);
      validateChatBody(body);
      ctx.router.resolve(body.model as string, body); // unknown model: 404 now, not a failed job later
      return ctx.jobs.submit(customer, body);
    }
    if (req.method !== 'GET') throw methodNotAllowed(req.method, path);
    return ctx.jobs.status(customer, decodeSegment(path.slice('/v1/jobs/'.length)));
  }
  return notFound(path);
}

/** `gateway;dur=…[, agent;dur=…]`: what the gateway itself took, and what it waited for an agent. */
function serverTiming(totalMs: number, agentMs: number | undefined): string {
  const own = `gateway;dur=${Math.max(0, totalMs - (agentMs ?? 0)).toFixed(3)}`;
  return agentMs === undefined ? own : `${own}, agent;dur=${agentMs.toFixed(3)}`;
}

function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  const q = url.indexOf('?', start);
  return start < 0 ? '/' : url.slice(start, q < 0 ? undefined : q);
}

/** A percent-decoded path segment; a malformed escape (`%E0%A4%A`) is the client's error, not ours. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest('the request path has a malformed percent-encoding', undefined, 'invalid_path');
  }
}

function notFound(path: string): Answer {
  return errorAnswer({ status: 404, type: 'not_found_error', code: 'unknown_url', message: `Unknown request URL: ${path}` });
}

function methodNotAllowed(method: string, path: string): GatewayError {
  return new GatewayError({
    status: 405,
    type: 'invalid_request_error',
    code: 'method_not_allowed',
    message: `${method} is not allowed on ${path}`,
  });
}

function failure(ctx: GatewayContext, err: unknown, requestId: string): Answer {
  if (err instanceof GatewayError) return errorAnswer({ ...err.init, headers: { ...err.init.headers, [HEADER_REQUEST_ID]: requestId } });
  ctx.log.error('unhandled error', { requestId, err });
  return errorAnswer({
    status: 500,
    type: 'server_error',
    code: 'internal_error',
    message: `internal error (request ${requestId})`,
    headers: { [HEADER_REQUEST_ID]: requestId },
  });
}
