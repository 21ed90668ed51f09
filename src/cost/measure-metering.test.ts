// The served rate from metering, read as `gpuarb cost` reads it: the gateway's usage documents in
// the local Cosmos server and the pool's VMs from the local cloud's ARM, over the same window. On
// the local cloud every VM runs the sim engine, so the figure is shown as simulated, never used.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CosmosDBManagementClient } from '@azure/arm-cosmosdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usageDocId } from '../../contracts/documents.js';
import { type CosmosService, startCosmosService } from '../../emulator/runtime/services/cosmos.js';
import { FakeClock } from '../../testkit/fake-clock.js';
import { flexSpotScaleSet } from '../../testkit/fixtures/flex-spot-scale-set.js';
import { type OpsTestCloud, startOpsCloud } from '../../testkit/ops-cloud.js';
import { computeClient, cosmosDatabase } from '../ops/azure-clients.js';
import { loadStack } from '../ops/stack.js';
import { readMeasurements } from './measure.js';

const CONFIG = `
stack: metertest
location: eastus
pools:
  - name: phi
    model: phi3-mini
    engine: vllm
    hfModel: microsoft/Phi-3-mini-4k-instruct
    sku: Standard_NC4as_T4_v3
    capacity: { min: 1, max: 4, initial: 2 }
`;

let cloud: OpsTestCloud;
let cosmos: CosmosService;
let lastCreated = 0;

beforeAll(async () => {
  cloud = await startOpsCloud(CONFIG);
  const { names } = cloud.loaded;
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
  const { credential, subscriptionId } = cloud.emu;
  await new CosmosDBManagementClient(credential, subscriptionId, cloud.emu.clientOptions()).databaseAccounts.beginCreateOrUpdateAndWait(
    cloud.rgName,
    names.cosmos,
    {
      location: 'eastus',
      kind: 'GlobalDocumentDB',
      databaseAccountOfferType: 'Standard',
      locations: [{ locationName: 'eastus', failoverPriority: 0 }],
      capabilities: [{ name: 'EnableServerless' }],
    } as never,
    { updateIntervalInMs: 10 },
  );
  const { client } = await cosmosDatabase(cloud.target, cloud.rgName, names.cosmos, 'gpuarb');
  const { database } = await client.databases.createIfNotExists({ id: 'gpuarb' });
  await database.containers.createIfNotExists({ id: 'usage', partitionKey: { paths: ['/customer'] } });

  const compute = await computeClient(cloud.target);
  await compute.virtualMachineScaleSets.beginCreateOrUpdateAndWait(
    cloud.rgName,
    names.vmss.phi,
    flexSpotScaleSet(2, { zones: undefined }),
    {
      updateIntervalInMs: 1,
    },
  );
  for await (const vm of compute.virtualMachines.list(cloud.rgName))
    lastCreated = Math.max(lastCreated, new Date(vm.timeCreated ?? 0).getTime());
}, 60_000);
afterAll(async () => {
  await cloud?.stop();
  await cosmos?.stop();
});

describe('throughput from metering', () => {
  it('is the GPU-produced tokens of the window ÷ the replica-seconds of the pool’s VMs, labelled simulated here', async () => {
    // Two hours after the VMs were created: 2 VMs × 2 h = 4 replica-hours = 14,400 replica-seconds.
    const clock = new FakeClock(lastCreated + 2 * 3_600_000);
    const day = new Date(clock.now()).toISOString().slice(0, 10);
    const { database } = await cosmosDatabase(cloud.target, cloud.rgName, cloud.loaded.names.cosmos, 'gpuarb');
    // Two customers, 20 requests, 4 of them cache hits: the GPUs produced 80 % of the tokens.
    // output: (10,000 + 8,000) × 0.8 = 14,400 → 14,400 / 14,400 s = 1 tok/s; input: (3,000 + 600) × 0.8 = 2,880 → 0.2 tok/s.
    for (const [customer, completionTokens, promptTokens] of [
      ['cust-a', 10_000, 3_000],
      ['cust-b', 8_000, 600],
    ] as const)
      await database.container('usage').items.upsert({
        id: usageDocId(customer, 'phi3-mini', day),
        customer,
        model: 'phi3-mini',
        day,
        requests: 10,
        promptTokens,
        completionTokens,
        cacheHits: 2,
        errors: 0,
        updatedAt: clock.now(),
      });
    const { ctx } = cloud.context({ clock });
    const stack = await loadStack(ctx);
    const { byPool, notes } = await readMeasurements(ctx, stack, stack.config.pools);
    expect(notes).toEqual([]);
    const [metered] = byPool.get('phi') ?? [];
    expect(metered).toMatchObject({ kind: 'metering', basis: 'served', simulated: true, engine: 'sim', sku: 'Standard_NC4as_T4_v3' });
    // The VMs were created a few milliseconds apart, so the hours are 4 to within a second.
    expect(metered.outputTokensPerSecond).toBeCloseTo(1, 3);
    expect(metered.inputTokensPerSecond).toBeCloseTo(0.2, 3);
    expect(metered.detail).toMatch(/14400 output and 2880 input tokens produced on GPUs \(cache hits excluded\) ÷ 4\.00 replica-hours/);
  });
});
