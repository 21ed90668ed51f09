// What runs in a local VM and how Azure judges it, end to end through the real compute and
// network SDKs against the local cloud with its platform runtime: a raw Flexible Spot scale set
// with no gpuarb bootstrap is just VMs; a gpuarb pool whose engine loads slowly stays
// Initializing (never repaired) and then turns Healthy; an engine that fails is repaired only
// after the repair grace period; a pool on a subnet without outbound never starts its agent.
// The health extension's and repairs' durations run 200× faster (healthTimeScale), probes and
// grace periods keep their documented ratios.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ComputeManagementClient, type VirtualMachineScaleSet } from '@azure/arm-compute';
import { NetworkManagementClient } from '@azure/arm-network';
import { KeyVaultManagementClient } from '@azure/arm-keyvault';
import { ResourceManagementClient } from '@azure/arm-resources';
import { SecretClient } from '@azure/keyvault-secrets';
import { existsSync } from 'node:fs';
import { createLoopbackAgent } from '../../emulator/dataplanes/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { toInstance } from '../../src/ops/status-collect.js';
import { renderCloudInit } from '../../src/templates/cloud-init.js';
import { flexSpotScaleSet } from '../../testkit/fixtures/flex-spot-scale-set.js';
import { waitFor } from '../../testkit/wait.js';
import { BUILT_IN_ROLE, grantRole } from '../../testkit/rbac.js';

const SCALE = 0.005; // 5 s probes → 25 ms; PT10M repair grace → 3 s; 1200 s extension grace → 6 s
const RG = 'rg-guest';
const poll = { updateIntervalInMs: 10 };
let emu: Emulator;
let compute: ComputeManagementClient;
let network: NetworkManagementClient;
let subnets: { withNat: string; without: string };

/** gpuarb's real cloud-init for a sim pool, with the engine's load time and outcome set. */
function cloudInit(sim: { loadMs: number; failLoad?: boolean }): string {
  const text = renderCloudInit(
    {
      name: 'phi',
      model: 'phi3-mini',
      engine: 'sim',
      quantization: 'none',
      tensorParallel: 1,
      contextLength: 4096,
      sku: 'Standard_NC4as_T4_v3',
      gpu: 'T4',
    },
    {
      agentBundleUrl: 'https://st.blob.core.windows.net/deployments/agent.mjs',
      agentBundleSha256: 'a'.repeat(64),
      managedIdentityClientId: '00000000-0000-0000-0000-0000000000aa',
      keyVaultUrl: 'https://kv.vault.azure.net',
      cosmosEndpoint: 'https://cosmos.documents.azure.com:443/',
    },
  );
  const doc = parse(text) as { write_files: { path: string; content: string }[] };
  const file = doc.write_files.find((f) => f.path === '/etc/gpuarb/agent.json');
  if (!file) throw new Error('cloud-init writes no agent config');
  const config = JSON.parse(file.content);
  config.engine = { ...config.engine, ...sim };
  file.content = JSON.stringify(config);
  return `#cloud-config\n${stringify(doc)}`;
}

function gpuarbPool(subnetId: string, sim: { loadMs: number; failLoad?: boolean }): VirtualMachineScaleSet {
  const raw = flexSpotScaleSet(1, { zones: undefined, priorityMixPolicy: undefined });
  return {
    ...raw,
    tags: { 'gpuarb-pool': 'phi', 'gpuarb-model': 'phi3-mini' },
    automaticRepairsPolicy: { enabled: true, gracePeriod: 'PT10M', repairAction: 'Replace' },
    virtualMachineProfile: {
      ...raw.virtualMachineProfile,
      priority: 'Regular',
      evictionPolicy: undefined,
      billingProfile: undefined,
      osProfile: { ...raw.virtualMachineProfile.osProfile, customData: Buffer.from(cloudInit(sim)).toString('base64') },
      networkProfile: {
        networkApiVersion: '2022-11-01',
        networkInterfaceConfigurations: [
          { name: 'nic', primary: true, ipConfigurations: [{ name: 'ip', primary: true, subnet: { id: subnetId } }] },
        ],
      },
      extensionProfile: {
        extensions: [
          {
            name: 'health',
            publisher: 'Microsoft.ManagedServices',
            typePropertiesType: 'ApplicationHealthLinux', // the SDK's name for properties.type
            typeHandlerVersion: '2.0',
            settings: {
              protocol: 'http',
              port: 8080,
              requestPath: '/health/app',
              intervalInSeconds: 5,
              numberOfProbes: 3,
              gracePeriod: 1200,
            },
          },
        ],
      },
    },
  };
}

/** The scale set's VMs with their instance views, listed as `gpuarb status` lists them. */
async function vmsOf(vmss: string) {
  const id = `/subscriptions/${emu.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachineScaleSets/${vmss}`;
  const out = [];
  for await (const vm of compute.virtualMachines.list(RG, { filter: `'virtualMachineScaleSet/id' eq '${id}'`, expand: 'instanceView' }))
    if (vm.virtualMachineScaleSet?.id?.toLowerCase() === id.toLowerCase()) out.push(vm);
  return out;
}
const healthOf = async (vm: string) => (await compute.virtualMachines.instanceView(RG, vm)).vmHealth?.status?.code;

beforeAll(async () => {
  emu = await startEmulator({
    port: 0,
    stateDir: join(mkdtempSync(join(tmpdir(), 'gpuarb-guest-')), 'local'),
    platform: { healthTimeScale: SCALE },
  });
  const opts = emu.clientOptions();
  compute = new ComputeManagementClient(emu.credential, emu.subscriptionId, opts);
  network = new NetworkManagementClient(emu.credential, emu.subscriptionId, opts);
  await new ResourceManagementClient(emu.credential, emu.subscriptionId, opts).resourceGroups.createOrUpdate(RG, { location: 'eastus' });
  // The agents' internal service key, which the local cloud mirrors from Key Vault into a file.
  const vault = await new KeyVaultManagementClient(emu.credential, emu.subscriptionId, opts).vaults.createOrUpdate(
    RG,
    'kv-guest-health',
    {
      location: 'eastus',
      properties: {
        tenantId: '72f988bf-0000-4000-a000-00000000cafe',
        sku: { family: 'A', name: 'standard' },
        enableRbacAuthorization: true,
      },
    } as never,
    poll,
  );
  // The operator writes the secret with a data role, as on Azure (Owner alone is refused).
  await grantRole(emu, String(vault.id), BUILT_IN_ROLE.keyVaultSecretsOfficer);
  await new SecretClient(String(vault.properties.vaultUri), emu.credential, { agent: createLoopbackAgent(emu.caCertPem) }).setSecret(
    'internal-service-key',
    'internal-key-for-guest-health-0123456789',
  );
  const keyFile = emu.platform?.keysFile('internal-service-key') ?? '';
  await waitFor('the local key file', () => existsSync(keyFile), 10_000);
  const pip = await network.publicIPAddresses.beginCreateOrUpdateAndWait(
    RG,
    'pip-nat',
    { location: 'eastus', sku: { name: 'Standard' }, publicIPAllocationMethod: 'Static' },
    poll,
  );
  const nat = await network.natGateways.beginCreateOrUpdateAndWait(
    RG,
    'ng',
    { location: 'eastus', sku: { name: 'Standard' }, publicIpAddresses: [{ id: pip.id }] },
    poll,
  );
  const vnet = await network.virtualNetworks.beginCreateOrUpdateAndWait(
    RG,
    'vnet',
    {
      location: 'eastus',
      addressSpace: { addressPrefixes: ['10.40.0.0/16'] },
      subnets: [
        { name: 'snet-nat', addressPrefix: '10.40.0.0/24', natGateway: { id: nat.id } },
        { name: 'snet-private', addressPrefix: '10.40.1.0/24' },
      ],
    },
    poll,
  );
  const id = (name: string) => `${vnet.id}/subnets/${name}`;
  subnets = { withNat: id('snet-nat'), without: id('snet-private') };
}, 60_000);
afterAll(async () => emu?.stop(), 30_000);

describe('a VM without the gpuarb bootstrap', () => {
  it('is just a VM: a raw Flexible Spot scale set provisions, runs and has an instance view, no agent', async () => {
    const vmss = await compute.virtualMachineScaleSets.beginCreateOrUpdateAndWait(RG, 'raw', flexSpotScaleSet(2), poll);
    expect(vmss.provisioningState).toBe('Succeeded');
    const vms = await vmsOf('raw');
    expect(vms).toHaveLength(2);
    for (const vm of vms) {
      const view = await compute.virtualMachines.instanceView(RG, vm.name ?? '');
      expect(view.statuses?.map((s) => s.code)).toEqual(['ProvisioningState/succeeded', 'PowerState/running']);
      expect(view.vmHealth).toBeUndefined(); // no health extension, no health state
      expect(emu.platform?.fleet.get(vm.name ?? '')).toBeUndefined();
    }
  });
});

describe('the Application Health extension and automatic repairs', () => {
  it('keeps a slow-loading engine Initializing past the repair grace, unrepaired, then Healthy', async () => {
    await compute.virtualMachineScaleSets.beginCreateOrUpdateAndWait(RG, 'slow', gpuarbPool(subnets.withNat, { loadMs: 5000 }), poll);
    const [vm] = await vmsOf('slow');
    const name = vm.name ?? '';
    expect(toInstance(vm).health).toBe('Initializing'); // what `gpuarb status` shows in HEALTH
    const seen = new Set<string | undefined>();
    const started = Date.now();
    await waitFor(
      'the slow VM Healthy',
      async () => {
        seen.add(await healthOf(name));
        return seen.has('HealthState/healthy');
      },
      20_000,
      25,
    );
    expect(Date.now() - started).toBeGreaterThan(3000 + 1000); // loading outlasted the 3 s repair grace
    expect([...seen].filter(Boolean)).toEqual(['HealthState/initializing', 'HealthState/healthy']);
    const after = await vmsOf('slow');
    expect(after.map((v) => v.name)).toEqual([name]); // never replaced
    expect(toInstance(after[0]).health).toBe('Healthy');
  });

  it('repairs an engine that failed to load only once the repair grace period is over (Replace)', async () => {
    const created = Date.now();
    await compute.virtualMachineScaleSets.beginCreateOrUpdateAndWait(
      RG,
      'broken',
      gpuarbPool(subnets.withNat, { loadMs: 300, failLoad: true }),
      poll,
    );
    const [vm] = await vmsOf('broken');
    const name = vm.name ?? '';
    await waitFor('the broken VM Unhealthy', async () => (await healthOf(name)) === 'HealthState/unhealthy', 10_000, 25);
    expect(Date.now() - created).toBeLessThan(3000); // Unhealthy well before the grace ends...
    expect((await vmsOf('broken')).map((v) => v.name)).toEqual([name]); // ...and not repaired yet
    await waitFor(
      'a replacement VM',
      async () => {
        const names = (await vmsOf('broken')).map((v) => v.name);
        return names.length === 1 && names[0] !== name;
      },
      15_000,
      50,
    );
    expect(Date.now() - created).toBeGreaterThanOrEqual(3000);
  });

  it('never starts the agent of a pool on a subnet without outbound: the bootstrap cannot download, health ends Unknown', async () => {
    await compute.virtualMachineScaleSets.beginCreateOrUpdateAndWait(
      RG,
      'private',
      { ...gpuarbPool(subnets.without, { loadMs: 0 }), automaticRepairsPolicy: { enabled: false } },
      poll,
    );
    const [vm] = await vmsOf('private');
    const name = vm.name ?? '';
    expect(vm.provisioningState).toBe('Succeeded'); // Azure provisions it: only the guest fails
    expect(await healthOf(name)).toBe('HealthState/initializing');
    await waitFor('Unknown after the extension grace', async () => (await healthOf(name)) === 'HealthState/unknown', 15_000, 50);
    expect(emu.platform?.fleet.get(name)).toBeUndefined();
  });
});
