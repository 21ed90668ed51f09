// Model resolution: a requested name (a model, an alias, or "auto") becomes a concrete model
// plus the fallback chain to walk when that model has no ready replica.
//
// The `auto` rules (documented in docs/gateway.md), applied to the configured models:
//   1. estimate prompt tokens = characters of all message text / auto.charsPerToken;
//   2. the request needs skill "tools" when it sends tools/functions, "code" when a code pattern
//      matches the messages, "math" when a maths pattern matches (the patterns see a bounded
//      window of the text and are checked for safe matching cost at load: rule-safety.ts);
//   3. a model fits when prompt estimate + max_tokens (or auto.defaultMaxTokens) ≤ contextTokens,
//      max_tokens ≤ maxOutputTokens, and it has every needed skill;
//   4. among fitting models pick the cheapest by cost (input + output per million, weighted by the
//      request's own token estimate); ties go to the first in config order;
//   5. nothing fits: auto.default, else the model with the largest context.
import type { GatewayConfig, ModelConfig } from '../contracts/gateway-config.js';
import { GatewayError } from './errors.js';
import { required } from '../lib/required.js';
import { ruleWindow } from './rule-safety.js';

export interface Resolution {
  model: ModelConfig;
  /** The model, then its fallbacks (transitively, each once). */
  chain: ModelConfig[];
  /** Why auto chose it, for logs; undefined for an explicit model. */
  autoReason?: string;
}

export interface Router {
  resolve(requested: string, body: Record<string, unknown>): Resolution;
  modelNames(): string[];
  byName(name: string): ModelConfig | undefined;
}

export function createRouter(cfg: GatewayConfig): Router {
  const byName = new Map<string, ModelConfig>();
  for (const m of cfg.models) {
    byName.set(m.name, m);
    for (const a of m.aliases) byName.set(a, m);
  }
  const code = cfg.auto.codePatterns.map((p) => new RegExp(p, 'i'));
  const math = cfg.auto.mathPatterns.map((p) => new RegExp(p, 'i'));
  const autoNames = new Set(cfg.auto.names);

  const chainOf = (first: ModelConfig): ModelConfig[] => {
    const out: ModelConfig[] = [];
    const visit = (m: ModelConfig) => {
      if (out.includes(m)) return;
      out.push(m);
    };
    // Breadth-first over fallbacks, so a model's own fallbacks come before its fallbacks' fallbacks.
    visit(first);
    // Fallback names are checked against the models when the config is loaded.
    for (let i = 0; i < out.length; i++) for (const f of out[i].fallback) visit(required(byName.get(f), `fallback model "${f}"`));
    return out;
  };

  const chooseAuto = (body: Record<string, unknown>): { model: ModelConfig; reason: string } => {
    const text = messageText(body.messages);
    const promptTokens = Math.ceil(text.length / cfg.auto.charsPerToken);
    const mt = maxTokensOf(body);
    const maxTokens = mt ?? cfg.auto.defaultMaxTokens;
    const needs = new Set<string>();
    if (hasTools(body)) needs.add('tools');
    const scanned = ruleWindow(text);
    if (code.some((r) => r.test(scanned))) needs.add('code');
    if (math.some((r) => r.test(scanned))) needs.add('math');
    const fits = cfg.models.filter(
      (m) =>
        promptTokens + maxTokens <= m.contextTokens &&
        maxTokens <= m.maxOutputTokens &&
        [...needs].every((n) => m.skills.includes(n as ModelConfig['skills'][number])),
    );
    const costOf = (m: ModelConfig) => promptTokens * m.cost.inputPerMillion + maxTokens * m.cost.outputPerMillion;
    const reason = `prompt≈${promptTokens} max_tokens=${maxTokens} needs=[${[...needs].join(',')}]`;
    if (fits.length) {
      let best = fits[0];
      for (const m of fits) if (costOf(m) < costOf(best)) best = m;
      return { model: best, reason };
    }
    const fallback = cfg.auto.default
      ? required(byName.get(cfg.auto.default), `auto.default model "${cfg.auto.default}"`)
      : [...cfg.models].sort((a, b) => b.contextTokens - a.contextTokens)[0];
    return { model: fallback, reason: `${reason}; nothing fits, default` };
  };

  return {
    resolve(requested, body) {
      if (autoNames.has(requested)) {
        const { model, reason } = chooseAuto(body);
        return { model, chain: chainOf(model), autoReason: reason };
      }
      const model = byName.get(requested);
      if (!model) {
        throw new GatewayError({
          status: 404,
          type: 'invalid_request_error',
          code: 'model_not_found',
          param: 'model',
          message: `The model \`${requested}\` does not exist. Available models: ${[...cfg.auto.names, ...cfg.models.map((m) => m.name)].join(', ')}`,
        });
      }
      if (!hasTools(body)) return { model, chain: chainOf(model) };
      // A model that cannot call tools would answer in prose the client's code cannot use: refused,
      // and a fallback is only walked to if it can call them too.
      if (!model.skills.includes('tools')) throw toolsUnsupported(model.name, cfg.models);
      return { model, chain: chainOf(model).filter((m) => m.skills.includes('tools')) };
    },
    modelNames: () => cfg.models.map((m) => m.name),
    byName: (name) => byName.get(name),
  };
}

/** All text a model reads: message contents (strings or text parts) and tool-call arguments. */
function messageText(messages: unknown): string {
  if (!Array.isArray(messages)) return '';
  let out = '';
  for (const m of messages) {
    if (!m || typeof m !== 'object') continue;
    const c = (m as { content?: unknown }).content;
    if (typeof c === 'string') out += `${c}\n`;
    else if (Array.isArray(c))
      for (const p of c)
        if (p && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string') out += `${(p as { text: string }).text}\n`;
  }
  return out;
}

function maxTokensOf(body: Record<string, unknown>): number | undefined {
  const v = body.max_completion_tokens ?? body.max_tokens;
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function toolsUnsupported(name: string, models: ModelConfig[]): GatewayError {
  const capable = models.filter((m) => m.skills.includes('tools')).map((m) => m.name);
  return new GatewayError({
    status: 400,
    type: 'invalid_request_error',
    code: 'unsupported_parameter',
    param: 'tools',
    message: `The model \`${name}\` does not support tools (function calling). ${
      capable.length ? `Models that do: ${capable.join(', ')} (or send model "auto").` : 'No model of this service does.'
    }`,
  });
}

function hasTools(body: Record<string, unknown>): boolean {
  return (Array.isArray(body.tools) && body.tools.length > 0) || (Array.isArray(body.functions) && body.functions.length > 0);
}
