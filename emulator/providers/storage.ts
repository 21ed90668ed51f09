// Microsoft.Storage: accounts (global names, 3-24 lowercase alphanumerics; create answers 202 +
// Location as Azure does), listKeys/regenerateKey, blob containers and queues as children.
import type { EmulatorCore } from '../core/emulator-core.js';
import { ArmError } from '../core/errors.js';
import { requireGloballyUnique } from './common.js';

const ACCOUNT = 'Microsoft.Storage/storageAccounts';

export function registerStorage(core: EmulatorCore): void {
  const keys = core.store.sideTable('storageKeys');
  const keysFor = (id: string) => {
    let k = keys.get(id.toLowerCase());
    if (!k) {
      k = { key1: core.rng.key(), key2: core.rng.key() };
      keys.set(id.toLowerCase(), k);
    }
    return k;
  };
  core.behaviors.register({
    type: ACCOUNT,
    lro: { put: 'location', delete: 'sync' },
    patch: true,
    validate(ctx, body, existing) {
      const name = ctx.path.names[0];
      if (!/^[a-z0-9]{3,24}$/.test(name))
        throw new ArmError(
          400,
          'AccountNameInvalid',
          `${name} is not a valid storage account name. Storage account name must be between ` +
            `3 and 24 characters in length and use numbers and lower-case letters only.`,
        );
      requireGloballyUnique(
        core,
        ACCOUNT,
        name,
        ctx.id,
        'StorageAccountAlreadyTaken',
        `The storage account named ${name} is already taken.`,
      );
      if (!existing && (!body.sku?.name || !body.kind))
        throw new ArmError(400, 'InvalidRequestContent', "The request content was invalid: 'sku' and 'kind' are required.");
    },
    prepare(_ctx, doc) {
      const n = doc.name;
      doc.properties.primaryEndpoints = {
        blob: `https://${n}.blob.core.windows.net/`,
        queue: `https://${n}.queue.core.windows.net/`,
        table: `https://${n}.table.core.windows.net/`,
        file: `https://${n}.file.core.windows.net/`,
        web: `https://${n}.z13.web.core.windows.net/`,
        dfs: `https://${n}.dfs.core.windows.net/`,
      };
      doc.properties.primaryLocation = doc.location;
      doc.properties.statusOfPrimary = 'available';
      doc.properties.creationTime ??= new Date().toISOString();
      keysFor(doc.id);
    },
    async onDelete(_ctx, doc) {
      keys.delete(doc.id.toLowerCase());
    },
    actions: {
      listKeys: (_ctx, doc) => {
        const k = keysFor(doc.id);
        return {
          body: {
            keys: [
              { keyName: 'key1', value: k.key1, permissions: 'FULL' },
              { keyName: 'key2', value: k.key2, permissions: 'FULL' },
            ],
          },
        };
      },
      regenerateKey: (_ctx, doc, body) => {
        const k = keysFor(doc.id);
        if (body.keyName !== 'key1' && body.keyName !== 'key2')
          throw new ArmError(400, 'InvalidValuesForRequestParameters', 'Values for request parameters are invalid: keyName.');
        k[body.keyName] = core.rng.key();
        core.store.changed();
        return {
          body: {
            keys: [
              { keyName: 'key1', value: k.key1, permissions: 'FULL' },
              { keyName: 'key2', value: k.key2, permissions: 'FULL' },
            ],
          },
        };
      },
    },
  });
  for (const t of ['blobServices', 'queueServices', 'blobServices/containers', 'queueServices/queues']) {
    core.behaviors.register({ type: `${ACCOUNT}/${t}`, patch: true, noProvisioningState: true });
  }
}
