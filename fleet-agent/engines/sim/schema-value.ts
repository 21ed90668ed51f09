// A deterministic JSON value valid for a JSON Schema: what the sim engine answers with for tool
// arguments and structured outputs, so the gateway path and load tests carry real shapes. The
// keywords below are the ones it can honour; a schema using any other is refused (400) by name
// rather than answered with JSON that might not validate.

type Schema = Record<string, unknown>;

/** Keywords the generator honours (annotations like description are harmless). */
const SUPPORTED = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'const',
  'anyOf',
  'minItems',
  'maxItems',
  'minimum',
  'maximum',
  'description',
  'title',
  'default',
  'examples',
  'strict',
  '$schema',
]);

/** Keywords of `schema` (at any depth) this generator cannot honour, as JSON paths. */
export function unsupportedSchemaKeywords(schema: unknown, path = '$'): string[] {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(schema)) {
    if (!SUPPORTED.has(k)) out.push(`${path}.${k}`);
    else if (k === 'properties' && typeof v === 'object' && v !== null)
      for (const [name, sub] of Object.entries(v)) out.push(...unsupportedSchemaKeywords(sub, `${path}.properties.${name}`));
    else if (k === 'items' || (k === 'additionalProperties' && typeof v === 'object'))
      out.push(...unsupportedSchemaKeywords(v, `${path}.${k}`));
    else if (k === 'anyOf' && Array.isArray(v))
      for (const [i, sub] of v.entries()) out.push(...unsupportedSchemaKeywords(sub, `${path}.anyOf[${i}]`));
  }
  return out;
}

/** xorshift32 over a seed: the same request gets the same value. */
function rng(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
}

const WORDS = ['spot', 'gpu', 'fleet', 'azure', 'replica', 'token', 'cache', 'model'];

function valueFor(schema: Schema, next: () => number, depth: number): unknown {
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[next() % schema.enum.length];
  if (Array.isArray(schema.anyOf) && schema.anyOf.length) return valueFor(schema.anyOf[0] as Schema, next, depth);
  const types = Array.isArray(schema.type) ? schema.type : [schema.type ?? (schema.properties ? 'object' : 'string')];
  const type = types.find((t) => t !== 'null') ?? 'null';
  switch (type) {
    case 'object': {
      const props = (schema.properties ?? {}) as Record<string, Schema>;
      const out: Record<string, unknown> = {};
      // Every declared property: strict schemas require them all, and the rest accept them.
      if (depth < 8) for (const [name, sub] of Object.entries(props)) out[name] = valueFor(sub, next, depth + 1);
      return out;
    }
    case 'array': {
      const min = typeof schema.minItems === 'number' ? schema.minItems : 1;
      const max = typeof schema.maxItems === 'number' ? schema.maxItems : Math.max(min, 2);
      const n = Math.min(max, Math.max(min, 1 + (next() % 2)));
      return depth < 8 ? Array.from({ length: n }, () => valueFor((schema.items ?? {}) as Schema, next, depth + 1)) : [];
    }
    case 'integer':
    case 'number': {
      const min = typeof schema.minimum === 'number' ? Math.ceil(schema.minimum) : 0;
      const max = typeof schema.maximum === 'number' ? Math.floor(schema.maximum) : min + 100;
      return max < min ? min : min + (next() % (max - min + 1));
    }
    case 'boolean':
      return next() % 2 === 0;
    case 'null':
      return null;
    default:
      return `${WORDS[next() % WORDS.length]} ${WORDS[next() % WORDS.length]}`;
  }
}

export function valueForSchema(schema: Schema | undefined, seed: number): unknown {
  return valueFor(schema ?? { type: 'object', properties: {} }, rng(seed), 0);
}

/** JSON text cut in pieces of about one token (4 characters), as an engine would stream it. */
export function tokenPieces(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += 4) out.push(text.slice(i, i + 4));
  return out.length ? out : [''];
}
