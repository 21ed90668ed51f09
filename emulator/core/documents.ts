// Building the stored ARM document from a request body: which fields the client owns
// (location, tags, sku, kind, identity, zones, properties...) and which the server owns
// (id, name, type, etag, systemData, provisioningState).
import type { Rng } from './random.js';
import type { Json } from './store.js';

const CLIENT_FIELDS = ['location', 'tags', 'sku', 'kind', 'identity', 'zones', 'plan', 'extendedLocation', 'managedBy'];

export function buildDocument(id: string, name: string, type: string, body: Json, existing: Json | undefined, rng: Rng): Json {
  const now = new Date().toISOString();
  const doc: Json = { id, name, type };
  for (const f of CLIENT_FIELDS) if (body[f] !== undefined) doc[f] = structuredClone(body[f]);
  doc.properties = structuredClone(body.properties ?? {});
  doc.etag = `"${rng.hex(8)}-0000-0000-0000-${rng.hex(6)}"`;
  doc.systemData = {
    createdBy: existing?.systemData?.createdBy ?? 'gpuarb-local@example.com',
    createdByType: 'User',
    createdAt: existing?.systemData?.createdAt ?? now,
    lastModifiedBy: 'gpuarb-local@example.com',
    lastModifiedByType: 'User',
    lastModifiedAt: now,
  };
  return doc;
}

/** JSON merge-patch (RFC 7396), the semantics ARM PATCH uses for tags and properties. */
export function mergePatch(target: Json, patch: Json): Json {
  const out: Json = structuredClone(target);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (
      typeof v === 'object' &&
      !Array.isArray(v) &&
      k !== 'tags' &&
      typeof out[k] === 'object' &&
      out[k] !== null &&
      !Array.isArray(out[k])
    )
      out[k] = mergePatch(out[k], v);
    else out[k] = structuredClone(v);
  }
  return out;
}

/** Managed identity fields the server fills (principalId, tenantId, clientId). */
export function fillIdentity(doc: Json, rng: Rng, lookupIdentity: (id: string) => Json | undefined, previous?: Json): void {
  const identity = doc.identity;
  if (!identity || typeof identity.type !== 'string') return;
  const type = identity.type.toLowerCase();
  if (type.includes('systemassigned')) {
    identity.principalId = previous?.identity?.principalId ?? rng.uuid();
    identity.tenantId = previous?.identity?.tenantId ?? TENANT_ID;
  }
  if (type.includes('userassigned') && identity.userAssignedIdentities) {
    for (const uaId of Object.keys(identity.userAssignedIdentities)) {
      const ua = lookupIdentity(uaId);
      identity.userAssignedIdentities[uaId] = {
        principalId: ua?.properties?.principalId ?? rng.uuid(),
        clientId: ua?.properties?.clientId ?? rng.uuid(),
      };
    }
  }
}

export const TENANT_ID = '72f988bf-0000-4000-a000-00000000cafe';
