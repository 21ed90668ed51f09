import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResourceManagementClient } from '@azure/arm-resources';
import { StorageManagementClient } from '@azure/arm-storage';
import { KeyVaultManagementClient, type VaultCreateOrUpdateParameters } from '@azure/arm-keyvault';
import { CosmosDBManagementClient } from '@azure/arm-cosmosdb';
import { ApiManagementClient, type ApiManagementServiceResource } from '@azure/arm-apimanagement';
import { NetworkManagementClient } from '@azure/arm-network';
import { ManagedServiceIdentityClient } from '@azure/arm-msi';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { required } from '../../lib/required.js';
import { startEmulator, type Emulator } from '../index.js';

let emu: Emulator;
const poll = { updateIntervalInMs: 1 };
beforeAll(async () => {
  emu = await startEmulator();
  await new ResourceManagementClient(emu.credential, emu.subscriptionId, emu.clientOptions()).resourceGroups.createOrUpdate('rg-f', {
    location: 'eastus',
  });
});
afterAll(async () => emu?.stop());

describe('storage (new generation, 202 + Location create)', () => {
  it('creates, lists keys, rejects taken and invalid names, deletes', async () => {
    const st = new StorageManagementClient(emu.credential, emu.subscriptionId, emu.clientOptions());
    emu.control.setLatency('Microsoft.Storage/storageAccounts', 20);
    const acct = await st.storageAccounts.create(
      'rg-f',
      'gpuarbfunc01',
      { location: 'eastus', sku: { name: 'Standard_LRS' }, kind: 'StorageV2' },
      poll,
    );
    expect(acct).toMatchObject({ name: 'gpuarbfunc01', provisioningState: 'Succeeded' });
    const keys = await st.storageAccounts.listKeys('rg-f', 'gpuarbfunc01');
    expect(keys.keys?.map((k) => k.keyName)).toEqual(['key1', 'key2']);
    await expect(
      st.storageAccounts.create('rg-f', 'Bad_Name', { location: 'eastus', sku: { name: 'Standard_LRS' }, kind: 'StorageV2' }, poll),
    ).rejects.toMatchObject({ code: 'AccountNameInvalid' });
    await st.blobContainers.create('rg-f', 'gpuarbfunc01', 'deploy', {});
    expect((await st.blobContainers.get('rg-f', 'gpuarbfunc01', 'deploy')).name).toBe('deploy');
    await st.storageAccounts.delete('rg-f', 'gpuarbfunc01');
    await expect(st.storageAccounts.getProperties('rg-f', 'gpuarbfunc01')).rejects.toMatchObject({ statusCode: 404 });
  });
});

describe('key vault (new generation)', () => {
  it('soft-deletes: the name stays taken until purged; purge protection is one-way', async () => {
    const kv = new KeyVaultManagementClient(emu.credential, emu.subscriptionId, emu.clientOptions());
    const body: VaultCreateOrUpdateParameters = {
      location: 'eastus',
      properties: {
        tenantId: '72f988bf-0000-4000-a000-00000000cafe',
        sku: { family: 'A', name: 'standard' },
        enableRbacAuthorization: true,
      },
    };
    const v = await kv.vaults.createOrUpdate('rg-f', 'gpuarb-kv-1', body, poll);
    expect(v.properties.vaultUri).toMatch(/^https:\/\/gpuarb-kv-1\.vault\.localhost:\d+\/$/);
    await expect(kv.vaults.createOrUpdate('rg-f', '1bad', body, poll)).rejects.toMatchObject({ code: 'VaultNameNotValid' });
    await kv.vaults.createOrUpdate(
      'rg-f',
      'gpuarb-kv-1',
      { ...body, properties: { ...body.properties, enablePurgeProtection: true } },
      poll,
    );
    await expect(
      kv.vaults.createOrUpdate('rg-f', 'gpuarb-kv-1', { ...body, properties: { ...body.properties, enablePurgeProtection: false } }, poll),
    ).rejects.toMatchObject({ statusCode: 400 });
    await kv.vaults.delete('rg-f', 'gpuarb-kv-1');
    const deleted = [];
    for await (const d of kv.vaults.listDeleted()) deleted.push(d.name);
    expect(deleted).toContain('gpuarb-kv-1');
    await expect(kv.vaults.createOrUpdate('rg-f', 'gpuarb-kv-1', body, poll)).rejects.toMatchObject({
      statusCode: 409,
      code: 'ConflictError',
    });
    await expect(kv.vaults.purgeDeleted('gpuarb-kv-1', 'eastus', poll)).rejects.toMatchObject({ statusCode: 409 });
  });
});

describe('cosmos (old generation, Azure-AsyncOperation LROs)', () => {
  it('creates a serverless account with database and container, keys and connection strings', async () => {
    const cosmos = new CosmosDBManagementClient(emu.credential, emu.subscriptionId, emu.clientOptions());
    emu.control.setLatency('Microsoft.DocumentDB/databaseAccounts', 20);
    const acct = await cosmos.databaseAccounts.beginCreateOrUpdateAndWait(
      'rg-f',
      'gpuarb-cosmos',
      {
        location: 'eastus',
        databaseAccountOfferType: 'Standard',
        locations: [{ locationName: 'eastus' }],
        capabilities: [{ name: 'EnableServerless' }],
      },
      poll,
    );
    expect(acct.provisioningState).toBe('Succeeded');
    await expect(
      cosmos.databaseAccounts.beginCreateOrUpdateAndWait(
        'rg-f',
        'gpuarb-cosmos2',
        {
          location: 'eastus',
          databaseAccountOfferType: 'Standard',
          locations: [{ locationName: 'eastus' }, { locationName: 'westus2' }],
          capabilities: [{ name: 'EnableServerless' }],
        },
        poll,
      ),
    ).rejects.toMatchObject({ code: 'BadRequest' });
    await cosmos.sqlResources.beginCreateUpdateSqlDatabaseAndWait('rg-f', 'gpuarb-cosmos', 'gpuarb', { resource: { id: 'gpuarb' } }, poll);
    await cosmos.sqlResources.beginCreateUpdateSqlContainerAndWait(
      'rg-f',
      'gpuarb-cosmos',
      'gpuarb',
      'registry',
      { resource: { id: 'registry', partitionKey: { paths: ['/pool'], kind: 'Hash' } } },
      poll,
    );
    const containers = [];
    for await (const c of cosmos.sqlResources.listSqlContainers('rg-f', 'gpuarb-cosmos', 'gpuarb')) containers.push(c.name);
    expect(containers).toEqual(['registry']);
    expect((await cosmos.databaseAccounts.listKeys('rg-f', 'gpuarb-cosmos')).primaryMasterKey).toBeTruthy();
    expect((await cosmos.databaseAccounts.listConnectionStrings('rg-f', 'gpuarb-cosmos')).connectionStrings?.[0].connectionString).toMatch(
      /^AccountEndpoint=/,
    );
    await cosmos.databaseAccounts.beginDeleteAndWait('rg-f', 'gpuarb-cosmos', poll);
  });
});

describe('api management', () => {
  it('Consumption needs capacity 0; subscriptions have secrets that regenerate', async () => {
    const apim = new ApiManagementClient(emu.credential, emu.subscriptionId, emu.clientOptions());
    const svc: ApiManagementServiceResource = {
      location: 'eastus',
      sku: { name: 'Consumption', capacity: 0 },
      publisherEmail: 'ops@example.com',
      publisherName: 'ops',
    };
    await expect(
      apim.apiManagementService.beginCreateOrUpdateAndWait(
        'rg-f',
        'gpuarb-apim-x',
        { ...svc, sku: { name: 'Consumption', capacity: 1 } },
        poll,
      ),
    ).rejects.toMatchObject({ code: 'InvalidParameters' });
    await apim.apiManagementService.beginCreateOrUpdateAndWait('rg-f', 'gpuarb-apim', svc, poll);
    await apim.product.createOrUpdate('rg-f', 'gpuarb-apim', 'standard', {
      displayName: 'Standard',
      subscriptionRequired: true,
      state: 'published',
    });
    await apim.subscription.createOrUpdate('rg-f', 'gpuarb-apim', 'cust-a', { scope: '/products/standard', displayName: 'cust-a' });
    const before = await apim.subscription.listSecrets('rg-f', 'gpuarb-apim', 'cust-a');
    await apim.subscription.regeneratePrimaryKey('rg-f', 'gpuarb-apim', 'cust-a');
    const after = await apim.subscription.listSecrets('rg-f', 'gpuarb-apim', 'cust-a');
    expect(after.primaryKey).not.toBe(before.primaryKey);
    expect(after.secondaryKey).toBe(before.secondaryKey);
  });
});

describe('network, identity, role assignments', () => {
  it('creates a VNet with subnets, an identity and a least-privilege assignment', async () => {
    const net = new NetworkManagementClient(emu.credential, emu.subscriptionId, emu.clientOptions());
    const vnet = await net.virtualNetworks.beginCreateOrUpdateAndWait(
      'rg-f',
      'vnet',
      { location: 'eastus', addressSpace: { addressPrefixes: ['10.0.0.0/16'] }, subnets: [{ name: 'vmss', addressPrefix: '10.0.1.0/24' }] },
      poll,
    );
    expect(vnet.subnets?.[0].id).toMatch(/\/virtualNetworks\/vnet\/subnets\/vmss$/);
    const msi = new ManagedServiceIdentityClient(emu.credential, emu.subscriptionId, emu.clientOptions());
    const id = await msi.userAssignedIdentities.createOrUpdate('rg-f', 'gpuarb-id', { location: 'eastus' });
    const principalId = required(id.principalId, 'the identity principalId');
    const auth = new AuthorizationManagementClient(emu.credential, emu.subscriptionId, emu.clientOptions());
    const scope = `/subscriptions/${emu.subscriptionId}/resourceGroups/rg-f`;
    const role = `/subscriptions/${emu.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6`;
    await auth.roleAssignments.create(scope, '0f8b0a4e-0000-4000-8000-000000000001', {
      principalId,
      roleDefinitionId: role,
    });
    await expect(
      auth.roleAssignments.create(scope, '0f8b0a4e-0000-4000-8000-000000000002', { principalId, roleDefinitionId: role }),
    ).rejects.toMatchObject({ statusCode: 409, code: 'RoleAssignmentExists' });
    await expect(auth.roleAssignments.create(scope, 'not-a-guid', { principalId, roleDefinitionId: role })).rejects.toMatchObject({
      code: 'InvalidRoleAssignmentId',
    });
  });
});

describe('faults', () => {
  it('throttling is honoured through Retry-After; failed operations surface', async () => {
    const rm = new ResourceManagementClient(emu.credential, emu.subscriptionId, emu.clientOptions());
    emu.control.throttle({ type: 'Microsoft.Resources/resourceGroups', method: 'GET', count: 1, retryAfterSeconds: 1 });
    const t0 = Date.now();
    expect((await rm.resourceGroups.get('rg-f')).name).toBe('rg-f');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    emu.control.failOperations({ type: 'Microsoft.Network/networkSecurityGroups', count: 1, code: 'InternalServerError' });
    const net = new NetworkManagementClient(emu.credential, emu.subscriptionId, emu.clientOptions());
    await expect(net.networkSecurityGroups.beginCreateOrUpdateAndWait('rg-f', 'nsg', { location: 'eastus' }, poll)).rejects.toThrow(
      /InternalServerError|failed/,
    );
    expect((await net.networkSecurityGroups.get('rg-f', 'nsg')).provisioningState).toBe('Failed');
  });
});
