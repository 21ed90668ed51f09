// Parsing of ARM request paths. One parser serves tracked resources, child resources, extension
// resources (a scope followed by `/providers/...`, e.g. role assignments) and the collection and
// action forms of each, so routing never guesses from string prefixes.

export interface ResourcePath {
  subscriptionId: string;
  resourceGroup?: string;
  /** e.g. "Microsoft.Compute" (as written in the request). */
  namespace: string;
  /** Type segments, e.g. ["databaseAccounts", "sqlDatabases"]. */
  types: string[];
  /** Names for each type segment; one shorter than `types` for a collection. */
  names: string[];
  /** Scope before the last `/providers/` (a subscription, RG or resource id). */
  scope: string;
  /** A trailing segment that is not a type/name pair (POST action or list). */
  action?: string;
}

export function fullType(p: Pick<ResourcePath, 'namespace' | 'types'>): string {
  return `${p.namespace}/${p.types.join('/')}`;
}

/** The resource id of `p` (only valid when names.length === types.length). */
export function resourceId(p: ResourcePath): string {
  let id = `${p.scope}/providers/${p.namespace}`;
  for (const [i, t] of p.types.entries()) id += `/${t}/${p.names[i]}`;
  return id;
}

/** Lower-cased key: ARM ids are case-insensitive. */
export const idKey = (id: string): string => id.toLowerCase();

export function parentId(id: string): string | undefined {
  const m = /^(.*\/providers\/[^/]+\/[^/]+\/[^/]+)\/[^/]+\/[^/]+$/.exec(id);
  return m ? m[1] : undefined;
}

/**
 * Splits the segments after the last `/providers/{namespace}` into type/name pairs.
 * Odd remainder: for GET it is a collection (types has one more than names); for POST the
 * last segment is an action on the resource named by the pairs before it.
 */
export function parseProviderPath(path: string, method: string): ResourcePath | undefined {
  const idx = path.toLowerCase().lastIndexOf('/providers/');
  if (idx < 0) return undefined;
  const scope = path.slice(0, idx);
  const scopeM = /^\/subscriptions\/([^/]+)(?:\/resourceGroups\/([^/]+))?/i.exec(scope);
  if (!scopeM) return undefined;
  const rest = path
    .slice(idx + '/providers/'.length)
    .split('/')
    .filter(Boolean)
    .map(decodeURIComponent);
  const namespace = rest.shift();
  if (!namespace || rest.length === 0) return undefined;
  const types: string[] = [];
  const names: string[] = [];
  let action: string | undefined;
  for (let i = 0; i < rest.length; i += 2) {
    if (i + 1 < rest.length) {
      types.push(rest[i]);
      names.push(rest[i + 1]);
    } else if (method === 'POST' && types.length > 0) {
      action = rest[i];
    } else {
      types.push(rest[i]);
    }
  }
  return { subscriptionId: scopeM[1], resourceGroup: scopeM[2], namespace, types, names, scope, action };
}
