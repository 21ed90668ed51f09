// Diff of the fields gpuarb owns. Desired values are compared as a subset of what ARM returns
// (ARM adds server-set fields and defaults everywhere: ids, etags, provisioningState…), arrays
// of named items are matched by name, and ids, locations and SKU names compare
// case-insensitively, as Azure treats them. Policy XML compares with whitespace normalised
// (API Management reformats it).
import { getPath } from './paths.js';
import { UNKNOWN } from './refs.js';

export interface FieldChange {
  path: string;
  from: unknown;
  to: unknown;
  /** Azure cannot change this field in place (e.g. Spot priority, partition key). */
  createOnly?: boolean;
}

const CASE_INSENSITIVE_KEYS = new Set(['location', 'locationname', 'id', 'name', 'tier', 'kind', 'type']);

function normString(s: string, key: string): string {
  const k = key.toLowerCase();
  if (k === 'location' || k === 'locationname' || k === 'targetresourcelocation' || k === 'targetresourceregion')
    return s.replace(/\s+/g, '').toLowerCase();
  if (s.startsWith('/subscriptions/') || CASE_INSENSITIVE_KEYS.has(k) || k.endsWith('id') || k.endsWith('uri')) return s.toLowerCase();
  if (s.trimStart().startsWith('<policies')) return s.replace(/>\s+</g, '><').replace(/\s+/g, ' ').trim();
  return s;
}

export function sameValue(desired: unknown, actual: unknown, key = ''): boolean {
  if (desired === UNKNOWN) return actual !== undefined;
  if (desired === undefined) return true;
  if (desired === null) return actual === null || actual === undefined;
  if (Array.isArray(desired)) {
    if (!Array.isArray(actual) || actual.length !== desired.length) return false;
    const named = desired.every((d) => d && typeof d === 'object' && typeof (d as { name?: unknown }).name === 'string');
    return desired.every((d, i) => {
      const a = named
        ? actual.find((x) => typeof x?.name === 'string' && x.name.toLowerCase() === (d as { name: string }).name.toLowerCase())
        : actual[i];
      return sameValue(d, a, key);
    });
  }
  if (typeof desired === 'object') {
    if (!actual || typeof actual !== 'object') return false;
    const a = actual as Record<string, unknown>;
    // Keys that are ARM ids (userAssignedIdentities) or tag names match case-insensitively.
    const find = (k: string) => (k in a ? a[k] : a[Object.keys(a).find((x) => x.toLowerCase() === k.toLowerCase()) ?? '']);
    return Object.entries(desired).every(([k, v]) => sameValue(v, find(k), k));
  }
  if (typeof desired === 'string' && typeof actual === 'string') return normString(desired, key) === normString(actual, key);
  if (typeof desired === 'number' || typeof desired === 'boolean') return String(desired) === String(actual);
  return desired === actual;
}

/** Owned-field changes from `actual` to `desired` (both resolved bodies). */
export function diffOwned(desired: unknown, actual: unknown, owned: string[], createOnly: string[] = []): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const path of owned) {
    const d = getPath(desired, path);
    if (d === undefined) continue;
    const a = getPath(actual, path);
    const lastKey = path.split('.').pop() ?? '';
    if (!sameValue(d, a, lastKey)) {
      changes.push({
        path,
        from: a,
        to: d,
        ...(createOnly.some((c) => path === c || path.startsWith(`${c}.`) || c.startsWith(`${path}.`)) ? { createOnly: true } : {}),
      });
    }
  }
  return changes;
}
