// API Management soft delete (https://learn.microsoft.com/azure/api-management/soft-delete): a
// deleted service is kept for 48 hours; in that time its name cannot be reused, and it can only
// be listed, restored (PUT with `properties.restore: true`, every other property ignored) or
// purged (DELETE …/locations/{location}/deletedservices/{name}). The snapshot of the service
// and its children (APIs, products, subscriptions with their keys) is what a restore brings back.
import type { EmulatorCore } from '../core/emulator-core.js';
import { ArmError } from '../core/errors.js';
import { send } from '../core/http.js';
import type { Json } from '../core/store.js';

export const APIM_SERVICE = 'Microsoft.ApiManagement/service';
const RETENTION_MS = 48 * 3600_000;
const KEYS_TABLE = 'apimSubscriptionKeys';

interface Snapshot {
  service: Json;
  children: Array<{ doc: Json; type: string }>;
  keys: Record<string, Json>;
}

export interface ApimSoftDelete {
  /** Throws Azure's error when a create (not a restore) reuses a soft-deleted name. */
  checkCreate(name: string, body: Json): void;
  /** True when this PUT restores a soft-deleted service (its doc is then replaced by the snapshot). */
  isRestore(name: string, body: Json, existing: Json | undefined): boolean;
  restoreInto(doc: Json): void;
  /** Puts the snapshot's children (and subscription keys) back; call once the service is stored. */
  restoreChildren(name: string): void;
  /** Takes the snapshot: before the delete removes the children. */
  capture(doc: Json): void;
  /** Records the soft-deleted service once the delete has happened. */
  record(doc: Json): void;
}

export function registerApimSoftDelete(core: EmulatorCore): ApimSoftDelete {
  const deleted = core.store.sideTable('deletedApimServices');
  const snapshots = core.store.sideTable('deletedApimSnapshots');
  const pending = new Map<string, Snapshot>();
  const keys = core.store.sideTable(KEYS_TABLE);
  const key = (name: string) => name.toLowerCase();

  /** The soft-deleted record, unless its 48 hours are over (then Azure has purged it). */
  const live = (name: string): Json | undefined => {
    const d = deleted.get(key(name));
    if (d && Date.parse(d.properties.scheduledPurgeDate) <= Date.now()) {
      deleted.delete(key(name));
      snapshots.delete(key(name));
      core.store.changed();
      return undefined;
    }
    return d;
  };
  const forget = (name: string) => {
    deleted.delete(key(name));
    snapshots.delete(key(name));
    core.store.changed();
  };

  const api: ApimSoftDelete = {
    checkCreate(name, body) {
      if (live(name) && body.properties?.restore !== true)
        throw new ArmError(
          409,
          'ServiceAlreadyExistsInSoftDeletedState',
          `Api service ${name} was soft-deleted. In order to create the new service with the same name, you have to either undelete the service or purge it. See https://aka.ms/apimsoftdelete.`,
        );
    },
    isRestore: (name, body, existing) => !existing && body.properties?.restore === true && !!live(name),
    restoreInto(doc) {
      const snap = snapshots.get(key(doc.name)) as Snapshot | undefined;
      if (!snap) return;
      for (const k of Object.keys(doc)) if (k !== 'id' && k !== 'name' && k !== 'type') delete doc[k];
      Object.assign(doc, structuredClone({ ...snap.service, id: doc.id, name: doc.name, type: doc.type }));
    },
    restoreChildren(name) {
      const snap = snapshots.get(key(name)) as Snapshot | undefined;
      forget(name);
      if (!snap) return;
      for (const c of snap.children) core.putInternal(structuredClone(c.doc), c.type);
      for (const [id, k] of Object.entries(snap.keys)) keys.set(id, k);
      core.store.changed();
    },
    capture(doc) {
      const children = core.store.descendants(doc.id).map((r) => ({ doc: structuredClone(r.doc), type: r.type }));
      const childKeys = Object.fromEntries(
        children.map((c) => [c.doc.id.toLowerCase(), keys.get(c.doc.id.toLowerCase())]).filter(([, k]) => k !== undefined),
      );
      pending.set(key(doc.name), { service: structuredClone(doc), children, keys: childKeys });
    },
    record(doc) {
      const now = Date.now();
      deleted.set(key(doc.name), {
        id: `/subscriptions/${core.subscriptionId}/providers/${APIM_SERVICE.split('/')[0]}/locations/${doc.location}/deletedservices/${doc.name}`,
        name: doc.name,
        type: 'Microsoft.ApiManagement/deletedservices',
        location: doc.location,
        properties: {
          serviceId: doc.id,
          scheduledPurgeDate: new Date(now + RETENTION_MS).toISOString(),
          deletionDate: new Date(now).toISOString(),
        },
      });
      // A delete through the resource group skips beforeDelete: the service alone is kept then.
      const snap = pending.get(key(doc.name)) ?? { service: structuredClone(doc), children: [], keys: {} };
      pending.delete(key(doc.name));
      snapshots.set(key(doc.name), snap as unknown as Json);
      core.store.changed();
    },
  };

  const base = '^/subscriptions/[^/]+/providers/Microsoft\\.ApiManagement';
  const notFound = (name: string) =>
    new ArmError(404, 'ResourceNotFound', `The Resource 'Microsoft.ApiManagement/deletedservices/${name}' was not found.`);
  core.route('GET', new RegExp(`${base}/deletedservices$`, 'i'), async (_c, _q, res) =>
    send(res, 200, { value: [...deleted.keys()].map(live).filter(Boolean) }),
  );
  core.route('GET', new RegExp(`${base}/locations/([^/]+)/deletedservices/([^/]+)$`, 'i'), async (_c, _q, res, _u, m) => {
    const d = live(m[2]);
    if (!d || d.location.toLowerCase() !== m[1].toLowerCase()) throw notFound(m[2]);
    send(res, 200, d);
  });
  // Purge: 200 with the purged record (the spec also allows 202 + Location; 204 when nothing is there).
  core.route('DELETE', new RegExp(`${base}/locations/([^/]+)/deletedservices/([^/]+)$`, 'i'), async (_c, _q, res, _u, m) => {
    const d = live(m[2]);
    if (!d || d.location.toLowerCase() !== m[1].toLowerCase()) return send(res, 204);
    forget(m[2]);
    send(res, 200, d);
  });
  return api;
}
