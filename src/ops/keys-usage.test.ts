// keys (API Management subscriptions), usage (Cosmos `usage`) and status with a live registry,
// against the local cloud through the real SDK clients. Cosmos data plane: the local cloud's
// Cosmos server, wired to the account through the emulator's lifecycle hook (as its runtime does).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiManagementClient } from '@azure/arm-apimanagement';
import { ComputeManagementClient } from '@azure/arm-compute';
import { CosmosDBManagementClient } from '@azure/arm-cosmosdb';
import { startCosmosService, type CosmosService } from '../../emulator/runtime/services/cosmos.js';
import { usageDocId } from '../../contracts/documents.js';
import type { RegistryDoc } from '../../contracts/registry.js';
import { createKey, listKeys, revokeKey, rotateKey } from './keys.js';
import { usageReport } from './usage.js';
import { collectStatus } from './status-collect.js';
import { buildStatus } from './status-model.js';
import { cosmosDatabase } from './azure-clients.js';
import { keysCreateCommand } from '../commands/keys.js';
import { startOpsCloud, type OpsTestCloud } from '../../testkit/ops-cloud.js';
import { required } from '../../lib/required.js';

let cloud: OpsTestCloud;
let cosmos: CosmosService;
let apim: ApiManagementClient;
const poll = { updateIntervalInMs: 10 };

beforeAll(async () => {
  cloud = await startOpsCloud();
  const { names } = cloud.loaded;
  const opts = cloud.emu.clientOptions();
  const { credential, subscriptionId } = cloud.emu;
  apim = new ApiManagementClient(credential, subscriptionId, opts);
  await apim.apiManagementService.beginCreateOrUpdateAndWait(
    cloud.rgName,
    names.apim,
    { location: 'eastus', sku: { name: 'Consumption', capacity: 0 }, publisherEmail: 'ops@example.com', publisherName: 'ops' },
    poll,
  );
  for (const tier of ['standard', 'pro'])
    await apim.product.createOrUpdate(cloud.rgName, names.apim, tier, {
      displayName: tier,
      subscriptionRequired: true,
      state: 'published',
    });

  const tls = {
    certPem: readFileSync(join(cloud.emu.stateDir, 'server-cert.pem'), 'utf8'),
    keyPem: readFileSync(join(cloud.emu.stateDir, 'server-key.pem'), 'utf8'),
  };
  cosmos = await startCosmosService(tls);
  cloud.emu.behaviors.addHook('Microsoft.DocumentDB/databaseAccounts', {
    provisioned: async (doc) => {
      doc.properties.documentEndpoint = cosmos.endpoint;
    },
  });
  await new CosmosDBManagementClient(credential, subscriptionId, opts).databaseAccounts.beginCreateOrUpdateAndWait(
    cloud.rgName,
    names.cosmos,
    {
      location: 'eastus',
      kind: 'GlobalDocumentDB',
      databaseAccountOfferType: 'Standard',
      locations: [{ locationName: 'eastus', failoverPriority: 0 }],
      capabilities: [{ name: 'EnableServerless' }],
    } as never,
    poll,
  );
  const { client } = await cosmosDatabase(cloud.target, cloud.rgName, names.cosmos, 'gpuarb');
  const { database } = await client.databases.createIfNotExists({ id: 'gpuarb' });
  await database.containers.createIfNotExists({ id: 'usage', partitionKey: { paths: ['/customer'] } });
  await database.containers.createIfNotExists({ id: 'registry', partitionKey: { paths: ['/pool'] } });
}, 60_000);
afterAll(async () => {
  await cloud?.stop();
  await cosmos?.stop();
});

describe('keys on the local cloud', () => {
  it('create: an APIM subscription on the tier product, the key shown once, stdout only', async () => {
    const { ctx } = cloud.context();
    const r = await createKey(ctx, 'acme-corp', { tier: 'pro' });
    expect(r).toMatchObject({ customer: 'acme-corp', tier: 'pro', subscriptionId: 'cust-acme-corp' });
    expect(r.key).toMatch(/^sk-gpuarb-[0-9a-f]{64}$/);
    const sub = await apim.subscription.get(cloud.rgName, cloud.loaded.names.apim, 'cust-acme-corp');
    expect(sub).toMatchObject({ displayName: 'acme-corp', scope: '/products/pro', state: 'active' });
    expect((await apim.subscription.listSecrets(cloud.rgName, cloud.loaded.names.apim, 'cust-acme-corp')).primaryKey).toBe(
      `Bearer ${r.key}`,
    );
    // What API Management stores is within its documented bounds (1-256 characters; the local
    // cloud refuses anything longer, as the REST spec does), and plain printable ASCII.
    expect(`Bearer ${r.key}`.length).toBeLessThanOrEqual(256);
    expect(`Bearer ${r.key}`).toMatch(/^[\x20-\x7e]+$/);
    await expect(
      apim.subscription.createOrUpdate(cloud.rgName, cloud.loaded.names.apim, 'cust-too-long', {
        scope: '/products/pro',
        displayName: 'too-long',
        primaryKey: 'k'.repeat(257),
      }),
    ).rejects.toMatchObject({ statusCode: 400, code: 'ValidationError' });
    // Rendering prints the key on stdout once (not redacted) and the explanation on stderr.
    const out = cloud.context();
    expect(keysCreateCommand.render).toBeDefined();
    keysCreateCommand.render?.(out.ctx, r);
    expect(out.stdout.text).toBe(`${r.key}\n`);
    expect(out.stderr.text).not.toContain(r.key);
  });

  it('refuses a second key, an unknown tier and a bad customer id, with hints', async () => {
    const { ctx } = cloud.context();
    await expect(createKey(ctx, 'acme-corp')).rejects.toMatchObject({ code: 'KeyExists' });
    await expect(createKey(ctx, 'beta', { tier: 'gold' })).rejects.toMatchObject({
      code: 'UnknownTier',
      hint: expect.stringContaining('standard, pro'),
    });
    await expect(createKey(ctx, 'Bad Name')).rejects.toMatchObject({ code: 'UsageError' });
  });

  it('list never shows keys; default tier applies', async () => {
    const { ctx } = cloud.context();
    await createKey(ctx, 'beta');
    const list = await listKeys(ctx);
    expect(list.map((k) => [k.customer, k.tier, k.state])).toEqual([
      ['acme-corp', 'pro', 'active'],
      ['beta', 'standard', 'active'],
    ]);
    expect(JSON.stringify(list)).not.toMatch(/[0-9a-f]{32}/);
  });

  it('rotate: a new primary; the old key stays valid as the secondary (or not, with revokePrevious)', async () => {
    const { ctx } = cloud.context();
    const before = await apim.subscription.listSecrets(cloud.rgName, cloud.loaded.names.apim, 'cust-acme-corp');
    const r = await rotateKey(ctx, 'acme-corp');
    const after = await apim.subscription.listSecrets(cloud.rgName, cloud.loaded.names.apim, 'cust-acme-corp');
    expect(after).toMatchObject({ primaryKey: `Bearer ${r.key}`, secondaryKey: before.primaryKey });
    expect(r.previousKeyValid).toBe(true);
    const r2 = await rotateKey(ctx, 'acme-corp', { revokePrevious: true });
    const final = await apim.subscription.listSecrets(cloud.rgName, cloud.loaded.names.apim, 'cust-acme-corp');
    expect(final.primaryKey).toBe(`Bearer ${r2.key}`);
    expect([`Bearer ${r.key}`, before.primaryKey]).not.toContain(final.secondaryKey);
  });

  it('revoke deletes the subscription; revoking again says there is none', async () => {
    const { ctx } = cloud.context();
    await revokeKey(ctx, 'beta');
    await expect(apim.subscription.get(cloud.rgName, cloud.loaded.names.apim, 'cust-beta')).rejects.toMatchObject({ statusCode: 404 });
    await expect(revokeKey(ctx, 'beta')).rejects.toMatchObject({ code: 'KeyNotFound' });
  });
});

describe('usage on the local cloud', () => {
  it('sums the gateway counters per customer and model, priced from the config', async () => {
    const { database } = await cosmosDatabase(cloud.target, cloud.rgName, cloud.loaded.names.cosmos, 'gpuarb');
    const today = new Date().toISOString().slice(0, 10);
    const old = new Date(Date.now() - 40 * 86400_000).toISOString().slice(0, 10);
    const doc = (customer: string, day: string, requests: number, promptTokens: number, completionTokens: number) => ({
      id: usageDocId(customer, 'phi3-mini', day),
      customer,
      model: 'phi3-mini',
      day,
      requests,
      promptTokens,
      completionTokens,
      cacheHits: 1,
      errors: 0,
      updatedAt: Date.now(),
    });
    for (const d of [doc('acme-corp', today, 10, 1_000_000, 1_000_000), doc('acme-corp', old, 99, 1, 1), doc('beta', today, 2, 100, 100)])
      await database.container('usage').items.upsert(d);
    const { ctx } = cloud.context();
    const all = await usageReport(ctx, { sinceSeconds: 30 * 86400 });
    expect(all.lines.map((l) => [l.customer, l.requests, l.revenue])).toEqual([
      ['acme-corp', 10, 0.8],
      ['beta', 2, 0.00008],
    ]);
    const one = await usageReport(ctx, { sinceSeconds: 30 * 86400, customer: 'beta' });
    expect(one.totals.requests).toBe(2);
  });
});

describe('usage by subscription id', () => {
  it('shows the customer name for counters metered under the subscription id, and --customer finds them', async () => {
    const { database } = await cosmosDatabase(cloud.target, cloud.rgName, cloud.loaded.names.cosmos, 'gpuarb');
    const today = new Date().toISOString().slice(0, 10);
    await database.container('usage').items.upsert({
      id: usageDocId('cust-gamma', 'phi3-mini', today),
      customer: 'cust-gamma',
      model: 'phi3-mini',
      day: today,
      requests: 3,
      promptTokens: 30,
      completionTokens: 60,
      cacheHits: 0,
      errors: 0,
      updatedAt: Date.now(),
    });
    const { ctx } = cloud.context();
    const one = await usageReport(ctx, { sinceSeconds: 86400, customer: 'gamma' });
    expect(one.lines.map((l) => [l.customer, l.requests, l.promptTokens, l.completionTokens])).toEqual([['gamma', 3, 30, 60]]);
    const all = await usageReport(ctx, { sinceSeconds: 86400 });
    expect(all.lines.map((l) => l.customer)).toContain('gamma');
  });
});

describe('status with a live registry', () => {
  it('counts registry-ready instances, shows their load, and is not degraded', async () => {
    const compute = new ComputeManagementClient(cloud.emu.credential, cloud.emu.subscriptionId, cloud.emu.clientOptions());
    await compute.virtualMachineScaleSets.createOrUpdate(
      cloud.rgName,
      cloud.loaded.names.vmss.phi,
      {
        location: 'eastus',
        zones: ['1'],
        sku: { name: 'Standard_NC4as_T4_v3', capacity: 1, tier: 'Standard' },
        orchestrationMode: 'Flexible',
        singlePlacementGroup: false,
        platformFaultDomainCount: 1,
        virtualMachineProfile: {
          priority: 'Spot',
          evictionPolicy: 'Delete',
          billingProfile: { maxPrice: -1 },
          osProfile: { computerNamePrefix: 'phi', adminUsername: 'gpuarb' },
          networkProfile: { networkApiVersion: '2022-11-01' },
          storageProfile: { imageReference: { publisher: 'Canonical', offer: 'x', sku: 'y', version: 'latest' } },
        },
      } as never,
      poll,
    );
    const vms = [];
    for await (const v of compute.virtualMachines.list(cloud.rgName)) vms.push(v);
    const vm = vms[0];
    const { database } = await cosmosDatabase(cloud.target, cloud.rgName, cloud.loaded.names.cosmos, 'gpuarb');
    const reg: RegistryDoc & { evictionNotBefore: number } = {
      id: required(vm.name, 'the name of the listed VM'),
      pool: 'phi',
      model: 'phi3-mini',
      address: 'http://127.0.0.1:1',
      state: 'ready',
      inFlight: 3,
      queue: 2,
      tokensPerSecond: 250,
      zone: '1',
      priority: 'Spot',
      engine: 'sim',
      simulated: true,
      lastSeen: Date.now(),
      evictionNotBefore: Date.now() + 20_000,
    };
    await database.container('registry').items.upsert(reg);
    // A function app (no plan: the validation only applies Flex rules when a plan is named).
    await cloud.put(
      `/subscriptions/${cloud.emu.subscriptionId}/resourceGroups/${cloud.rgName}/providers/Microsoft.Web/sites/${cloud.loaded.names.functionApp}`,
      { location: 'eastus', kind: 'functionapp,linux', properties: {} },
      '2024-11-01',
    );
    const { ctx } = cloud.context();
    let report = buildStatus(await collectStatus(ctx));
    expect(report.pools[0].instances[0]).toMatchObject({ state: 'evicting', load: { inFlight: 3, queue: 2, tokensPerSecond: 250 } });
    expect(report.warnings.some((w) => /eviction notice/.test(w))).toBe(true);
    await database.container('registry').items.upsert({ ...reg, evictionNotBefore: undefined });
    report = buildStatus(await collectStatus(ctx));
    expect(report.pools[0]).toMatchObject({ ready: 1, actual: 1, spot: 1 });
    expect(report.gateway.ready).toBeNull(); // an API-only local cloud runs no gateway process to probe
    expect(report.degraded).toBe(false);
  });
});
