// The building blocks of request validation, worded as OpenAI words its 400s (the same `code`
// values: invalid_type, missing_required_parameter, decimal_above_max_value, …) so a client's
// error handling behaves as it does against OpenAI. Hand-written rather than zod: it runs on
// every request at the gateway and again at the agent, within the < 0.5 ms per request budget.

/** A request OpenAI would refuse with 400 invalid_request_error; each tier renders it in its own error class. */
export class InvalidRequest extends Error {
  constructor(
    message: string,
    readonly param: string | null,
    readonly code: string,
  ) {
    super(message);
    this.name = 'InvalidRequest';
  }
}

export type Body = Record<string, unknown>;

export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

export const invalid = (message: string, param: string | null, code = 'invalid_value') => new InvalidRequest(message, param, code);

export function wrongType(param: string, expected: string, got: unknown): InvalidRequest {
  return invalid(`Invalid type for '${param}': expected ${expected}, but got ${typeName(got)} instead.`, param, 'invalid_type');
}

export const missing = (param: string) => invalid(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter');

/** JSON.parse turns 1e400 into Infinity: refused, never passed on or keyed as the null it would re-serialise to. */
export const notRepresentable = (param: string) =>
  invalid(`Invalid '${param}': a number JSON cannot represent (out of range).`, param, 'invalid_value');

export const isObject = (v: unknown): v is Body => typeof v === 'object' && v !== null && !Array.isArray(v);

/** null counts as absent, as OpenAI treats it for optional parameters. */
export function optionalNumber(v: unknown, param: string, min: number, max: number, integer = false): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && !Number.isFinite(v)) throw notRepresentable(param);
  if (typeof v !== 'number') throw wrongType(param, integer ? 'an integer' : 'a number', v);
  if (integer && !Number.isInteger(v)) throw wrongType(param, 'an integer', v);
  const kind = integer ? 'integer' : 'decimal';
  if (v < min)
    throw invalid(
      `Invalid '${param}': ${kind} below minimum value. Expected a value >= ${min}, but got ${v} instead.`,
      param,
      `${kind}_below_min_value`,
    );
  if (v > max)
    throw invalid(
      `Invalid '${param}': ${kind} above maximum value. Expected a value <= ${max}, but got ${v} instead.`,
      param,
      `${kind}_above_max_value`,
    );
  return v;
}

export function optionalBoolean(v: unknown, param: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw wrongType(param, 'a boolean', v);
  return v;
}

export function optionalString(v: unknown, param: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw wrongType(param, 'a string', v);
  return v;
}

/** OpenAI's pattern for function and schema names. */
const NAME = /^[a-zA-Z0-9_-]{1,64}$/;

export function checkName(v: unknown, param: string): string {
  if (v === undefined || v === null) throw missing(param);
  if (typeof v !== 'string') throw wrongType(param, 'a string', v);
  if (!NAME.test(v))
    throw invalid(
      `Invalid '${param}': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]{1,64}$'.`,
      param,
      'invalid_value',
    );
  return v;
}
