// Health endpoints for the platform's probes (no API Management headers needed):
//   /health/live     the process answers;
//   /health/startup  configuration loaded and the first registry read done;
//   /health/ready    Cosmos and the registry answer now, and at least one replica is ready.
// They need no credential, so their answers say only "ok" or "not ready": no model names, replica
// counts or error texts for a stranger to map the fleet with (the reason goes to the log).
import { jsonAnswer, type Answer } from './answer.js';
import type { GatewayContext } from './context.js';

function probeAnswer(status: number, body: Record<string, unknown>): Answer {
  return jsonAnswer(status, body, { 'cache-control': 'no-store' });
}

/**
 * How long one readiness result answers every /health/ready call. The endpoint is open (probes
 * carry no key), so without this anyone could make each call a Cosmos query; platform probes poll
 * every few seconds, so a second's staleness changes nothing they decide.
 */
export const READY_CACHE_MS = 1_000;

/** The last readiness check per gateway, shared by every caller until it is READY_CACHE_MS old. */
const readyChecks = new WeakMap<GatewayContext, { at: number; answer: Promise<Answer> }>();

export async function health(ctx: GatewayContext, which: string): Promise<Answer | undefined> {
  if (which === 'live') return probeAnswer(200, { status: 'ok' });
  if (which === 'startup') {
    const started = ctx.registry.last() !== undefined;
    return probeAnswer(started ? 200 : 503, { status: started ? 'ok' : 'starting' });
  }
  if (which !== 'ready') return undefined;
  const now = Date.now();
  let check = readyChecks.get(ctx);
  if (!check || now - check.at >= READY_CACHE_MS) {
    check = { at: now, answer: readiness(ctx) };
    readyChecks.set(ctx, check);
  }
  const shared = await check.answer;
  // The handler adds per-request headers to the answer it gets: each caller gets its own.
  return { ...shared, headers: { ...shared.headers } };
}

async function readiness(ctx: GatewayContext): Promise<Answer> {
  try {
    const snap = await withTimeout(ctx.registry.refresh(), 2_000);
    const now = Date.now();
    const ready = snap.docs.filter((d) => d.state === 'ready' && now - d.lastSeen <= ctx.cfg.registry.staleAfterMs);
    const ok = ready.length > 0;
    return probeAnswer(ok ? 200 : 503, { status: ok ? 'ok' : 'not ready' });
  } catch (err) {
    ctx.log.warn('readiness: registry unreachable', { err });
    return probeAnswer(503, { status: 'not ready' });
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms))),
  ]);
}
