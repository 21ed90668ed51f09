// Microsoft.DocumentDB: database accounts (global names; serverless is single-region), listKeys,
// listConnectionStrings, and SQL databases/containers (LROs, as Azure runs them).
import type { EmulatorCore } from '../core/emulator-core.js';
import { ArmError } from '../core/errors.js';
import { requireGloballyUnique } from './common.js';

const ACCOUNT = 'Microsoft.DocumentDB/databaseAccounts';

export function registerCosmos(core: EmulatorCore): void {
  const keys = core.store.sideTable('cosmosKeys');
  const keysFor = (id: string) => {
    let k = keys.get(id.toLowerCase());
    if (!k) {
      k = {
        primaryMasterKey: core.rng.key(),
        secondaryMasterKey: core.rng.key(),
        primaryReadonlyMasterKey: core.rng.key(),
        secondaryReadonlyMasterKey: core.rng.key(),
      };
      keys.set(id.toLowerCase(), k);
    }
    return k;
  };
  core.behaviors.register({
    type: ACCOUNT,
    lro: { put: 'async-op', delete: 'async-op' },
    createdStatus: 200, // the 2025-10-15 spec lists only 200 for the account PUT
    patch: true,
    validate(ctx, body) {
      const name = ctx.path.names[0];
      if (!/^[a-z0-9][a-z0-9-]{1,42}[a-z0-9]$/.test(name))
        throw new ArmError(
          400,
          'BadRequest',
          `Invalid database account name '${name}': 3-44 lowercase letters, numbers and hyphens, not starting or ending with a hyphen.`,
        );
      requireGloballyUnique(
        core,
        ACCOUNT,
        name,
        ctx.id,
        'BadRequest',
        `Dns record for ${name} under zone Document is already taken. Please use a different name for the account.`,
      );
      const p = body.properties ?? {};
      if (!Array.isArray(p.locations) || p.locations.length === 0)
        throw new ArmError(400, 'BadRequest', 'The locations property is required and must contain at least one location.');
      const serverless = (p.capabilities ?? []).some((c: { name?: string }) => c.name === 'EnableServerless');
      if (serverless && p.locations.length > 1)
        throw new ArmError(400, 'BadRequest', 'Serverless accounts do not support multiple regions.');
    },
    prepare(_ctx, doc) {
      const p = doc.properties;
      p.documentEndpoint = `https://${doc.name}.documents.azure.com:443/`;
      p.databaseAccountOfferType ??= 'Standard';
      p.writeLocations = p.readLocations = p.locations.map((l: { locationName: string }, i: number) => ({
        id: `${doc.name}-${l.locationName.replace(/\s/g, '').toLowerCase()}`,
        locationName: l.locationName,
        documentEndpoint: p.documentEndpoint,
        provisioningState: 'Succeeded',
        failoverPriority: i,
      }));
      keysFor(doc.id);
    },
    async onDelete(_ctx, doc) {
      keys.delete(doc.id.toLowerCase());
    },
    actions: {
      listKeys: (_c, doc) => ({ body: keysFor(doc.id) }),
      readonlykeys: (_c, doc) => ({
        body: {
          primaryReadonlyMasterKey: keysFor(doc.id).primaryReadonlyMasterKey,
          secondaryReadonlyMasterKey: keysFor(doc.id).secondaryReadonlyMasterKey,
        },
      }),
      listConnectionStrings: (_c, doc) => {
        const k = keysFor(doc.id);
        const ep = doc.properties.documentEndpoint;
        const cs = (key: string, desc: string, type: string) => ({
          connectionString: `AccountEndpoint=${ep};AccountKey=${key};`,
          description: desc,
          keyKind: type.split(' ')[0],
          type: 'Sql',
        });
        return {
          body: {
            connectionStrings: [
              cs(k.primaryMasterKey, 'Primary SQL Connection String', 'Primary'),
              cs(k.secondaryMasterKey, 'Secondary SQL Connection String', 'Secondary'),
              cs(k.primaryReadonlyMasterKey, 'Primary Read-Only SQL Connection String', 'PrimaryReadonly'),
              cs(k.secondaryReadonlyMasterKey, 'Secondary Read-Only SQL Connection String', 'SecondaryReadonly'),
            ],
          },
        };
      },
    },
  });
  for (const child of ['sqlDatabases', 'sqlDatabases/containers']) {
    core.behaviors.register({
      type: `${ACCOUNT}/${child}`,
      lro: { put: 'async-op', delete: 'async-op' },
      noProvisioningState: true,
      validate(ctx, body) {
        const rid = body.properties?.resource?.id;
        if (rid !== ctx.path.names[ctx.path.names.length - 1])
          throw new ArmError(400, 'BadRequest', `Resource id '${rid}' in the body must match the name in the URL.`);
        if (child.endsWith('containers') && !body.properties.resource.partitionKey?.paths?.length)
          throw new ArmError(400, 'BadRequest', 'A partition key path is required for a container.');
      },
      prepare(ctx, doc) {
        doc.properties.resource = {
          ...doc.properties.resource,
          _rid: ctx.core.rng.hex(4),
          _ts: Math.floor(Date.now() / 1000),
          _etag: `"${ctx.core.rng.hex(8)}"`,
        };
      },
    });
  }
}
