// Sends one request to the fleet: walks the model's fallback chain, picks replicas by P2C, and
// retries on another replica when the failure happened before the client saw anything:
// refused/unreachable connections, 503 from a draining agent, 429, and answers that broke
// before their first byte was relayed. Everything happens within the request's deadline; the
// `commit` step decides what "seen by the client" means (whole body, or first stream event).
import type { RegistryDoc } from '../contracts/registry.js';
import { HEADER_REQUEST_ID, INTERNAL_AUTH_SCHEME } from '../contracts/headers.js';
import type { ModelConfig } from '../contracts/gateway-config.js';
import { GatewayError } from './errors.js';
import type { AgentAnswer, CancelSignal } from './agent-call.js';
import type { AgentClient } from './agent-client.js';
import { UpstreamError } from './upstream-error.js';
import type { Balancer } from './balancer.js';
import type { RegistryReader } from './registry-reader.js';
import type { Logger } from './log.js';

export interface DispatchDeps {
  agents: AgentClient;
  registry: RegistryReader;
  balancer: Balancer;
  internalKey: () => Promise<string>;
  /**
   * Every accepted internal key, current first. During a rotation an agent may not have loaded
   * the new key yet: a 401 is retried once on the same replica with the other key.
   */
  internalKeys?: () => Promise<string[]>;
  deadlines: { firstByteMs: number };
  log: Logger;
}

export interface Dispatched<T> {
  model: ModelConfig;
  replica: RegistryDoc;
  status: number;
  headers: AgentAnswer['headers'];
  value: T;
  attempts: number;
  /** Ends this gateway's in-flight count for the replica (call when the answer is fully relayed). */
  release(): void;
}

export interface DispatchRequest<T> {
  chain: ModelConfig[];
  payload(model: ModelConfig): Buffer;
  path: string;
  requestId: string;
  deadline: number;
  /** The client asked for a stream: a 200 answer arrives as one (AgentAnswer.body). */
  stream?: boolean;
  signal?: CancelSignal;
  /** Takes a 2xx/4xx/5xx answer to the point of no return; throwing a retryable UpstreamError retries. */
  commit(answer: AgentAnswer): Promise<T>;
}

const DEFAULT_EJECT_MS = 5_000;

export async function dispatch<T>(deps: DispatchDeps, req: DispatchRequest<T>): Promise<Dispatched<T>> {
  const tried = new Set<string>();
  let attempts = 0;
  let throttled: { retryAfter: string } | undefined;
  const key = await deps.internalKey();
  const fallbackKeys = ((await deps.internalKeys?.()) ?? []).filter((k) => k !== key);
  for (const model of req.chain) {
    const payload = req.payload(model);
    for (;;) {
      const remaining = req.deadline - Date.now();
      if (remaining <= 0) throw deadlineExceeded();
      const replica = deps.balancer.pick(await deps.registry.ready(model.name), tried);
      if (!replica) break; // this model has no (untried) ready replica: fall back
      tried.add(replica.id);
      attempts++;
      const release = deps.balancer.acquire(replica.id);
      // Made only when something is logged: the successful path never needs it.
      const attempt = attempts;
      const log = () => deps.log.child({ requestId: req.requestId, replica: replica.id, model: model.name, attempt });
      try {
        const send = (k: string) =>
          deps.agents.post(
            replica.address,
            req.path,
            payload,
            {
              'content-type': 'application/json',
              authorization: `${INTERNAL_AUTH_SCHEME} ${k}`,
              [HEADER_REQUEST_ID]: req.requestId,
            },
            { firstByteMs: Math.min(deps.deadlines.firstByteMs, remaining), stream: req.stream, signal: req.signal },
          );
        let answer = await send(key);
        for (const other of fallbackKeys) {
          if (answer.status !== 401) break;
          answer.discard();
          log().info('agent refused the current internal key, retrying with the other accepted key (rotation in progress)');
          answer = await send(other);
        }
        if (answer.status === 503 || answer.status === 429) {
          answer.discard();
          release();
          const retryAfter = String(answer.headers['retry-after'] ?? '');
          const seconds = Number(retryAfter);
          deps.balancer.eject(replica.id, Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : DEFAULT_EJECT_MS);
          if (answer.status === 429) throttled = { retryAfter: retryAfter || '1' };
          log().info('agent refused, trying another replica', { status: answer.status });
          continue;
        }
        const value = await req.commit(answer);
        return { model, replica, status: answer.status, headers: answer.headers, value, attempts, release };
      } catch (err) {
        release();
        if (err instanceof UpstreamError && err.retryable) {
          deps.balancer.eject(replica.id, DEFAULT_EJECT_MS);
          log().warn('agent call failed before the answer started, trying another replica', { err });
          continue;
        }
        if (err instanceof UpstreamError && err.kind === 'timeout') throw upstreamTimeout(err.message);
        throw err;
      }
    }
  }
  if (throttled) {
    throw new GatewayError({
      status: 429,
      type: 'rate_limit_error',
      code: 'replicas_busy',
      message: 'every replica is busy; retry later',
      headers: { 'retry-after': throttled.retryAfter },
    });
  }
  throw new GatewayError({
    status: 503,
    type: 'server_error',
    code: 'no_replica',
    message: `no ready replica for ${req.chain.map((m) => m.name).join(' → ')}${attempts ? ` after ${attempts} attempts` : ''}`,
    headers: { 'retry-after': '1' },
  });
}

function upstreamTimeout(detail: string): GatewayError {
  return new GatewayError({ status: 504, type: 'timeout_error', code: 'upstream_timeout', message: `upstream timeout: ${detail}` });
}

function deadlineExceeded(): GatewayError {
  return new GatewayError({
    status: 504,
    type: 'timeout_error',
    code: 'deadline_exceeded',
    message: 'the request deadline passed before a replica answered',
  });
}
