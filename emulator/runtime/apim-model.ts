// Reads one API Management service's APIs, products, subscriptions (keys from the side table the
// apim behavior keeps), named values, backends and policies from the ARM store, as the local
// proxy needs them. Key Vault–backed named values resolve to the secret's newest version.
import type { Json, Store } from '../core/store.js';
import { DEFAULT_KEY_HEADER, DEFAULT_KEY_QUERY, type ApimModel } from './apim/model.js';

export interface SecretReader {
  /** Enabled values of a secret, newest first (empty when it does not exist). */
  versions(vaultName: string, secretName: string): string[];
}

export function readApimModel(store: Store, serviceId: string, secrets: SecretReader): ApimModel {
  const prefix = `${serviceId.toLowerCase()}/`;
  const children = store.all().filter((r) => r.doc.id.toLowerCase().startsWith(prefix));
  const ofType = (t: string) =>
    children.filter((r) => r.type.toLowerCase() === `microsoft.apimanagement/service/${t}`.toLowerCase()).map((r) => r.doc);
  const policyOf = (ownerId: string) =>
    children.find((r) => r.doc.id.toLowerCase() === `${ownerId.toLowerCase()}/policies/policy`)?.doc.properties?.value as
      | string
      | undefined;
  const keys = store.sideTable('apimSubscriptionKeys');

  return {
    apis: ofType('apis').map((a: Json) => ({
      name: a.name,
      path: a.properties?.path ?? '',
      subscriptionRequired: a.properties?.subscriptionRequired !== false,
      keyHeader: a.properties?.subscriptionKeyParameterNames?.header ?? DEFAULT_KEY_HEADER,
      keyQuery: a.properties?.subscriptionKeyParameterNames?.query ?? DEFAULT_KEY_QUERY,
      policyXml: policyOf(a.id),
      operations: importedOperations(a),
    })),
    products: ofType('products').map((p: Json) => ({
      name: p.name,
      state: p.properties?.state === 'published' ? 'published' : 'notPublished',
      policyXml: policyOf(p.id),
      apis: ofType('products/apis')
        .filter((l: Json) => l.id.toLowerCase().startsWith(`${p.id.toLowerCase()}/`))
        .map((l: Json) => l.name),
    })),
    subscriptions: ofType('subscriptions').map((s: Json) => {
      const k = keys.get(s.id.toLowerCase()) ?? {};
      return {
        sid: s.name,
        displayName: s.properties?.displayName ?? s.name,
        scope: s.properties?.scope ?? '',
        primaryKey: k.primaryKey ?? '',
        secondaryKey: k.secondaryKey ?? '',
        state: s.properties?.state ?? 'active',
      };
    }),
    namedValues: Object.fromEntries(ofType('namedValues').map((n: Json) => [n.properties?.displayName ?? n.name, namedValue(n, secrets)])),
    backends: Object.fromEntries(ofType('backends').map((b: Json) => [b.name, { url: b.properties?.url ?? '' }])),
    globalPolicyXml: policyOf(serviceId),
  };
}

/**
 * API Management re-reads Key Vault–backed named values periodically (every four hours in
 * Azure), never per request; so consumers of a rotated secret always learn the new version before
 * API Management sends it. The local proxy keeps that ordering with a shorter refresh.
 */
const NAMED_VALUE_REFRESH_MS = 5_000;
const namedValueCache = new Map<string, { value: string; at: number }>();

function namedValue(n: Json, secrets: SecretReader): string {
  const ref = n.properties?.keyVault?.secretIdentifier as string | undefined;
  if (!ref) return n.properties?.value ?? '';
  const cached = namedValueCache.get(ref);
  if (cached && Date.now() - cached.at < NAMED_VALUE_REFRESH_MS) return cached.value;
  // https://<vault>.vault.azure.net/secrets/<name>[/<version>] (or the local host form)
  const u = new URL(ref);
  const vault = u.hostname.split('.')[0];
  const [, , name] = u.pathname.split('/');
  const value = secrets.versions(vault, name)[0] ?? '';
  if (value) namedValueCache.set(ref, { value, at: Date.now() });
  return value;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Operations API Management creates when it imports an OpenAPI document: one per path and method. */
export function importedOperations(api: Json): { method: string; pattern: RegExp }[] | undefined {
  const format = String(api.properties?.format ?? '');
  if (!format.startsWith('openapi') || !format.endsWith('json') || typeof api.properties?.value !== 'string') return undefined;
  let doc: { paths?: Record<string, Record<string, unknown>> };
  try {
    doc = JSON.parse(api.properties.value);
  } catch {
    return undefined;
  }
  return Object.entries(doc.paths ?? {}).flatMap(([path, item]) => {
    const pattern = new RegExp(
      `^${path
        .split(/\{[^/{}]+\}/)
        .map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
        .join('[^/]+')}$`,
    );
    return Object.keys(item)
      .filter((m) => METHODS.includes(m))
      .map((m) => ({ method: m.toUpperCase(), pattern }));
  });
}
