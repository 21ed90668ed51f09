// POST /v1/chat/completions: cache → route → dispatch → relay → meter → cache store.
import {
  HEADER_CACHE,
  HEADER_SERVED_BY,
  HEADER_SIMULATED,
  HEADER_REQUEST_ID,
  HEADER_PROMPT_TOKENS,
  HEADER_USAGE,
  parsePromptTokensHeader,
  parseUsageHeader,
} from '../contracts/headers.js';
import type { GatewayContext } from './context.js';
import { isDeterministic, cacheKey } from './cache-key.js';
import { completionToSse } from './sse.js';
import { answer, type Answer } from './answer.js';
import type { CancelSignal } from './agent-call.js';
import { dispatch } from './dispatch.js';
import { relayStream, waitFirstChunk, type RelayOutcome } from './stream-relay.js';
import type { ModelConfig } from '../contracts/gateway-config.js';
import type { HeaderReader } from './gateway-request.js';
import type { ResponseCache } from './response-cache.js';
import { required } from '../lib/required.js';

export interface ChatCall {
  body: Record<string, unknown>;
  /** The body as the client sent it, when at hand: forwarded as is when nothing in it changes. */
  bytes?: Buffer;
  customer: string;
  requestId: string;
  headers: HeaderReader;
  signal?: CancelSignal;
  /** Called when the answer (and its usage write) is fully done: the host's in-flight bookkeeping. */
  onSettled?: (settled: Promise<void>) => void;
  /** Filled with the time spent waiting for agents (for the Server-Timing header). */
  timing?: AgentTiming;
}

export interface AgentTiming {
  /** From the first agent call until its answer was in hand (a stream: its first event), retries included. */
  agentMs?: number;
}

type CacheOutcome = 'hit' | 'miss' | 'bypass';

function wantsBypass(h: HeaderReader): boolean {
  return h.get(HEADER_CACHE)?.trim().toLowerCase() === 'bypass' || /(^|,)\s*no-(cache|store)\s*(,|$)/i.test(h.get('cache-control') ?? '');
}

export async function chatCompletions(ctx: GatewayContext, call: ChatCall): Promise<Answer> {
  const { body, customer, requestId } = call;
  const resolution = ctx.router.resolve(body.model as string, body);
  const model = resolution.model;
  const stream = body.stream === true;
  const clientWantsUsage = stream && (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
  const scopeCustomer = ctx.cfg.cache.scope === 'per-customer' ? customer : null;

  let cacheState: CacheOutcome = 'bypass';
  // Set when a cache key was computed: where a clean answer to this request may be stored.
  let cacheEntry: { cache: ResponseCache; key: string } | undefined;
  if (ctx.cache && ctx.cfg.cache.enabled && !wantsBypass(call.headers) && isDeterministic(body)) {
    const key = cacheKey({ body, model: model.name, revision: model.revision, scope: ctx.cfg.cache.scope, customer });
    cacheEntry = { cache: ctx.cache, key };
    const hit = await ctx.cache.get(key, model.name, scopeCustomer);
    if (hit) {
      call.onSettled?.(
        ctx.meter.record(customer, model.name, {
          requests: 1,
          cacheHits: 1,
          promptTokens: hit.promptTokens,
          completionTokens: hit.completionTokens,
        }),
      );
      const headers = baseHeaders(requestId, 'hit', hit.model, stream);
      return answer(200, stream ? completionToSse(hit.body, clientWantsUsage) : hit.body, headers);
    }
    cacheState = 'miss';
  }

  const forward: Record<string, unknown> = { ...body };
  // Ask the agent for the usage chunk so streams are metered exactly; dropped if the client did not ask.
  if (stream) forward.stream_options = { ...(body.stream_options as object | undefined), include_usage: true };
  // The client's own bytes go through untouched when nothing in them changes and no cache key
  // was computed: a cached answer must come from the re-serialised body its key covers (see
  // cache-key.ts: duplicate keys or 1e400 must not let the key and the agent see different requests).
  const asSent = call.bytes && !stream && cacheEntry === undefined ? call.bytes : undefined;
  const payload = (m: ModelConfig) =>
    asSent && body.model === m.name ? asSent : Buffer.from(JSON.stringify({ ...forward, model: m.name }));
  const deadline = Date.now() + ctx.cfg.deadlines.requestMs;
  const idleMs = ctx.cfg.deadlines.idleMs;

  const dispatched = performance.now();
  const sent = await dispatch(ctx.dispatchDeps, {
    chain: resolution.chain,
    payload,
    path: 'v1/chat/completions',
    requestId,
    deadline,
    stream,
    signal: call.signal,
    commit: async ({ body: b }) =>
      b.kind === 'stream'
        ? {
            kind: 'stream' as const,
            first: await waitFirstChunk(b.res, Math.max(1, Math.min(ctx.cfg.deadlines.firstByteMs, deadline - Date.now()))),
            res: b.res,
          }
        : { kind: 'buffer' as const, bytes: await b.read(idleMs) },
  }).finally(() => {
    if (call.timing) call.timing.agentMs = performance.now() - dispatched;
  });
  const served = sent.model;
  const headers = baseHeaders(requestId, cacheState, served.name, stream && sent.status === 200);
  if (sent.headers[HEADER_SIMULATED]) headers[HEADER_SIMULATED] = String(sent.headers[HEADER_SIMULATED]);
  // Only the model the key was computed for may fill it: a fallback's answer is not the requested model's.
  const storeIn = cacheEntry && served.name === model.name && sent.status === 200 ? cacheEntry : undefined;

  if (sent.value.kind === 'buffer') {
    sent.release();
    const bytes = sent.value.bytes;
    const ok = sent.status >= 200 && sent.status < 300;
    // Metering and the cache store wait until the host has written the answer (setImmediate runs
    // after this I/O turn): reading the agent's JSON for its usage is not on the client's clock.
    // The request stays in flight until the usage is recorded, so the loss bound is unchanged.
    // The agent's usage header spares parsing the answer, unless the cache needs its shape checked.
    const settled = new Promise<void>((resolve) =>
      setImmediate(() => {
        const declared = ok ? parseUsageHeader(sent.headers[HEADER_USAGE]) : undefined;
        const read = declared && !storeIn ? undefined : usageOf(bytes);
        const usage = declared ?? required(read, 'the usage read from the answer');
        resolve(
          ctx.meter.record(customer, served.name, {
            requests: 1,
            errors: ok ? 0 : 1,
            promptTokens: usage.prompt,
            completionTokens: usage.completion,
          }),
        );
        if (storeIn && read?.cacheable) {
          void storeIn.cache.put(storeIn.key, {
            body: bytes,
            model: served.name,
            customer: scopeCustomer,
            promptTokens: usage.prompt,
            completionTokens: usage.completion,
          });
        }
      }),
    );
    call.onSettled?.(settled);
    headers['content-type'] = String(sent.headers['content-type'] ?? 'application/json');
    return answer(sent.status, bytes, headers);
  }

  let settle!: (p: Promise<void>) => void;
  call.onSettled?.(new Promise<void>((r) => (settle = (p) => void p.then(r)))); // held until the stream ends
  const onDone = (o: RelayOutcome) => {
    sent.release();
    const u = o.builder.usage;
    // Metered: what was owed. A finished stream has the agent's exact usage; a cut one owes the
    // prompt the engine accepted (the agent's prompt-tokens header) and the content chunks
    // relayed (agents send one token per chunk).
    const completion = o.completed ? (u?.completion_tokens ?? o.builder.deltaChunks) : o.builder.deltaChunks;
    const acceptedPrompt = parsePromptTokensHeader(sent.headers[HEADER_PROMPT_TOKENS]) ?? 0;
    settle(
      ctx.meter.record(customer, served.name, {
        requests: 1,
        errors: o.completed ? 0 : 1,
        promptTokens: o.completed ? (u?.prompt_tokens ?? acceptedPrompt) : acceptedPrompt,
        completionTokens: completion,
      }),
    );
    if (!o.completed)
      ctx.log.warn('stream ended early', {
        requestId,
        model: served.name,
        replica: sent.replica.id,
        reason: o.error,
        deliveredChunks: o.builder.deltaChunks,
      });
    if (o.completed && storeIn && o.builder.cacheable) {
      void storeIn.cache.put(storeIn.key, {
        body: o.builder.toCompletion(),
        model: served.name,
        customer: scopeCustomer,
        promptTokens: u?.prompt_tokens ?? 0,
        completionTokens: completion,
      });
    }
  };
  const out = relayStream(sent.value.res, sent.value.first, { idleMs, clientWantsUsage, onDone });
  return answer(200, out, headers);
}

function baseHeaders(requestId: string, cache: CacheOutcome, model: string, sse: boolean): Record<string, string> {
  return {
    'content-type': sse ? 'text/event-stream; charset=utf-8' : 'application/json',
    ...(sse ? { 'cache-control': 'no-cache' } : {}),
    [HEADER_REQUEST_ID]: requestId,
    [HEADER_CACHE]: cache,
    [HEADER_SERVED_BY]: model,
  };
}

/** Token counts from a chat.completion body, and whether it is a clean answer worth caching. */
function usageOf(bytes: Buffer): { prompt: number; completion: number; cacheable: boolean } {
  try {
    const c = JSON.parse(bytes.toString()) as {
      usage?: { prompt_tokens?: number; completion_tokens?: number };
      choices?: { finish_reason?: string }[];
      error?: unknown;
    };
    const prompt = Number(c.usage?.prompt_tokens) || 0;
    const completion = Number(c.usage?.completion_tokens) || 0;
    const cacheable = !c.error && Array.isArray(c.choices) && c.choices.length === 1;
    return { prompt, completion, cacheable };
  } catch {
    return { prompt: 0, completion: 0, cacheable: false };
  }
}
