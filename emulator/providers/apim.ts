// Microsoft.ApiManagement: Consumption service (capacity 0, global names), APIs, policies,
// products and subscriptions (listSecrets, regeneratePrimaryKey/SecondaryKey).
import type { EmulatorCore } from '../core/emulator-core.js';
import { ArmError } from '../core/errors.js';
import type { Json } from '../core/store.js';
import { registerApimNamedValues } from './apim-named-values.js';
import { registerApimSoftDelete } from './apim-soft-delete.js';
import { requireGloballyUnique } from './common.js';

const SERVICE = 'Microsoft.ApiManagement/service';

export function registerApim(core: EmulatorCore): void {
  const softDeleted = registerApimSoftDelete(core);
  registerApimNamedValues(core);
  const restoring = new Set<string>();
  core.behaviors.register({
    type: SERVICE,
    lro: { put: 'async-op', delete: 'async-op' },
    patch: true,
    validate(ctx, body, existing) {
      const name = ctx.path.names[0];
      if (!/^[a-zA-Z](?:[a-zA-Z0-9-]{0,48}[a-zA-Z0-9])?$/.test(name))
        throw new ArmError(
          400,
          'InvalidParameters',
          `Invalid service name '${name}': 1-50 letters, digits and hyphens, starting with a letter.`,
        );
      requireGloballyUnique(core, SERVICE, name, ctx.id, 'ServiceAlreadyExists', `Api service already exists: ${name}`);
      if (!existing) softDeleted.checkCreate(name, body);
      // A restore ignores every other property of the body.
      if (softDeleted.isRestore(name, body, existing)) return;
      if (body.sku?.name === 'Consumption' && body.sku.capacity !== 0)
        throw new ArmError(400, 'InvalidParameters', "Invalid parameter: capacity must be 0 for the 'Consumption' sku.");
      if (!body.properties?.publisherEmail || !body.properties?.publisherName)
        throw new ArmError(400, 'ValidationError', 'publisherEmail and publisherName are required.');
    },
    prepare(_ctx, doc, existing) {
      if (softDeleted.isRestore(doc.name, { properties: { restore: doc.properties?.restore } }, existing)) {
        softDeleted.restoreInto(doc);
        restoring.add(doc.name.toLowerCase());
      }
      delete doc.properties.restore;
      doc.properties.gatewayUrl = `https://${doc.name}.azure-api.net`;
      doc.properties.targetProvisioningState = '';
      doc.properties.createdAtUtc ??= new Date().toISOString();
    },
    async provision(_ctx, doc) {
      if (restoring.delete(doc.name.toLowerCase())) softDeleted.restoreChildren(doc.name);
    },
    beforeDelete(_ctx, doc) {
      softDeleted.capture(doc);
    },
    async onDelete(_ctx, doc) {
      softDeleted.record(doc);
    },
  });
  core.behaviors.register({ type: `${SERVICE}/apis`, lro: { put: 'async-op', delete: 'sync' }, patch: true, noProvisioningState: true });
  for (const t of ['apis/policies', 'policies', 'products', 'products/apis', 'products/policies']) {
    core.behaviors.register({ type: `${SERVICE}/${t}`, patch: true, noProvisioningState: true });
  }
  const keys = core.store.sideTable('apimSubscriptionKeys');
  const keysFor = (doc: Json) => {
    let k = keys.get(doc.id.toLowerCase());
    if (!k) {
      k = { primaryKey: core.rng.hex(16), secondaryKey: core.rng.hex(16) };
      keys.set(doc.id.toLowerCase(), k);
    }
    return k;
  };
  core.behaviors.register({
    type: `${SERVICE}/subscriptions`,
    patch: true,
    noProvisioningState: true,
    validate(_ctx, body) {
      if (!body.properties?.scope || !body.properties?.displayName)
        throw new ArmError(400, 'ValidationError', "'scope' and 'displayName' are required.");
      // The REST spec bounds a supplied key to 1-256 characters (no pattern): SubscriptionCreateParameterProperties.
      for (const field of ['primaryKey', 'secondaryKey']) {
        const key = body.properties?.[field];
        if (key !== undefined && (typeof key !== 'string' || key.length < 1 || key.length > 256))
          throw new ArmError(400, 'ValidationError', 'One or more fields contain incorrect values:', [
            { code: 'ValidationError', target: field, message: `${field} must be a string of 1 to 256 characters.` },
          ]);
      }
    },
    prepare(_ctx, doc) {
      const k = keysFor(doc);
      if (doc.properties.primaryKey) k.primaryKey = doc.properties.primaryKey;
      if (doc.properties.secondaryKey) k.secondaryKey = doc.properties.secondaryKey;
      delete doc.properties.primaryKey;
      delete doc.properties.secondaryKey;
      doc.properties.state ??= 'active';
      doc.properties.createdDate ??= new Date().toISOString();
    },
    async onDelete(_ctx, doc) {
      keys.delete(doc.id.toLowerCase());
    },
    actions: {
      listSecrets: (_c, doc) => ({ body: { ...keysFor(doc) } }),
      regeneratePrimaryKey: (_c, doc) => ({
        status: 204,
        work: async () => {
          keysFor(doc).primaryKey = core.rng.hex(16);
          core.store.changed();
        },
      }),
      regenerateSecondaryKey: (_c, doc) => ({
        status: 204,
        work: async () => {
          keysFor(doc).secondaryKey = core.rng.hex(16);
          core.store.changed();
        },
      }),
    },
  });
}
