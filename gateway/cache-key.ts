// The response-cache key: a SHA-256 over a canonical encoding of everything that can change the
// answer. Rules (each has an adversarial test in cache-key.test.ts):
// - the key covers the body the agent actually receives (for every request a key is computed
//   for, the gateway forwards its own re-serialisation of the parsed body, so duplicate keys,
//   -0 etc. cannot make the key and the agent see different requests);
// - numbers JSON cannot represent (1e400 parses as Infinity) are refused with a 400, never keyed
//   as the null JSON.stringify would turn them into;
// - object keys are sorted, arrays keep their order, values keep their JSON type (0 ≠ "0",
//   null ≠ absent ≠ false); strings are hashed as sent, never Unicode-normalised (different code
//   points can tokenize differently);
// - the *resolved* model and its configured revision are in the key, not the name the client used;
// - only fields known not to affect the text are left out (DROPPED below); unknown fields stay in;
// - per-customer scope puts the customer id in the key; the encoding is length-unambiguous JSON,
//   so no two (scope, customer, model, request) tuples encode alike.
import { createHash } from 'node:crypto';
import { notRepresentable } from './request-body.js';

/** Fields that change the transport or bookkeeping, not the generated text. */
const DROPPED = new Set([
  'model',
  'stream',
  'stream_options',
  'user',
  'metadata',
  'store',
  'n',
  'service_tier',
  'safety_identifier',
  'prompt_cache_key',
]);

/** Deterministic means: n = 1 (or absent) and temperature exactly 0 or an integer seed. */
export function isDeterministic(body: Record<string, unknown>): boolean {
  if (body.n !== undefined && body.n !== 1) return false;
  return body.temperature === 0 || (typeof body.seed === 'number' && Number.isSafeInteger(body.seed));
}

/** `param` names the field being encoded (the nearest key), for the 400 on an unrepresentable number. */
export function canonicalJson(value: unknown, param = '(body)'): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw notRepresentable(param);
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v, param)).join(',')}]`;
  const keys = Object.keys(value).sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    // Reading with Object.getOwnPropertyDescriptor would also do; a plain index is fine because
    // JSON.parse creates "__proto__" as an own data property, never as the prototype.
    out += `${(i ? ',' : '') + JSON.stringify(keys[i])}:${canonicalJson((value as Record<string, unknown>)[keys[i]], keys[i])}`;
  }
  return `${out}}`;
}

export interface CacheKeyInput {
  body: Record<string, unknown>;
  model: string;
  revision: string;
  scope: 'global' | 'per-customer';
  customer: string;
}

export function cacheKey(k: CacheKeyInput): string {
  // fromEntries defines own properties: assigning fields["__proto__"] would set the prototype
  // instead and silently drop the field from the key.
  const fields = Object.fromEntries(Object.entries(k.body).filter(([name]) => !DROPPED.has(name)));
  const envelope = canonicalJson({
    v: 1,
    scope: k.scope,
    customer: k.scope === 'per-customer' ? k.customer : null,
    model: k.model,
    revision: k.revision,
    request: fields,
  });
  return createHash('sha256').update(envelope).digest('hex');
}
