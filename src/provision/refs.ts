// Resolution of ArmRef placeholders (values only ARM knows: principal ids, endpoints) against
// current resource states, like ARM templates' reference(). Unresolvable refs become UNKNOWN,
// shown by plan as "(known after apply)".
import type { ArmRef, ArmTemplate } from './types.js';
import { getPath } from './paths.js';
import { idKey } from './graph.js';

export const UNKNOWN = Symbol('known after apply');

export function isRef(v: unknown): v is ArmRef {
  return typeof v === 'object' && v !== null && '$ref' in v && typeof (v as ArmRef).$ref?.id === 'string';
}

export type StateLookup = (id: string) => unknown | undefined;

export function lookupFrom(states: Map<string, unknown>): StateLookup {
  return (id) => states.get(idKey(id));
}

export function isTemplate(v: unknown): v is ArmTemplate {
  return typeof v === 'object' && v !== null && '$template' in v && typeof (v as ArmTemplate).$template?.text === 'string';
}

/** A deep copy of `value` with refs replaced by their values (or UNKNOWN). */
export function resolveRefs(value: unknown, lookup: StateLookup): unknown {
  if (isTemplate(value)) {
    const { text, vars, encoding } = value.$template;
    let out = text;
    for (const [name, r] of Object.entries(vars)) {
      const v = resolveRefs(r, lookup);
      if (v === UNKNOWN) return UNKNOWN;
      out = out.split(`{{${name}}}`).join(String(v));
    }
    return encoding === 'base64' ? Buffer.from(out, 'utf8').toString('base64') : out;
  }
  if (isRef(value)) {
    const { id, path, prefix = '', suffix = '' } = value.$ref;
    const v = getPath(lookup(id), path);
    return v === undefined || v === null ? UNKNOWN : `${prefix}${String(v)}${suffix}`;
  }
  if (Array.isArray(value)) return value.map((v) => resolveRefs(v, lookup));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRefs(v, lookup)]));
  }
  return value;
}

/** True when a resolved value still contains UNKNOWN anywhere. */
export function hasUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(hasUnknown);
  if (value && typeof value === 'object') return Object.values(value).some(hasUnknown);
  return false;
}
