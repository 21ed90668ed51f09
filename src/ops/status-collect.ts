// The I/O half of `gpuarb status`: each source (compute, autoscale, registry, gateway, Log
// Analytics, prices) is read independently, and a source that fails becomes a note and an
// "unknown", never a failed command: status is what on-call runs when things are broken.
import type { RegistryDoc } from '../../contracts/registry.js';
import type { Context } from '../core/context.js';
import { arm, computeClient, cosmosDatabase, dataPlaneAgent, isNotFound, monitorClient } from './azure-clients.js';
import { countQuery } from './logs-query.js';
import { fetchVmPrice, type VmPrice } from './prices.js';
import type { GatewayObservation, HealthState, InstanceObservation, PoolObservation, StatusInput, TrafficWindow } from './status-model.js';
import { loadStack, type OpsStack } from './stack.js';
import { outboundNote } from './pool-outbound.js';

const HEALTH: Record<string, HealthState> = {
  healthy: 'Healthy',
  unhealthy: 'Unhealthy',
  initializing: 'Initializing',
  unknown: 'Unknown',
};

export function autoscaleSettingName(pool: string): string {
  return `autoscale-${pool}`; // src/provision/desired/vmss.ts names it so
}

const short = (e: unknown) => String((e as Error)?.message ?? e).split('\n')[0];

/** A rejection handler for a part status can do without: the failure becomes a note and the part null. */
const noted = (notes: string[], what: string) => (e: unknown) => {
  notes.push(`${what}: ${short(e)}`);
  return null;
};

interface VmLike {
  name?: string;
  priority?: string;
  zones?: string[];
  provisioningState?: string;
  timeCreated?: Date;
  virtualMachineScaleSet?: { id?: string };
  instanceView?: { statuses?: { code?: string }[]; vmHealth?: { status?: { code?: string } } };
}

export function toInstance(vm: VmLike): InstanceObservation {
  const power = vm.instanceView?.statuses?.find((s) => s.code?.startsWith('PowerState/'))?.code?.slice('PowerState/'.length) ?? null;
  const healthCode = vm.instanceView?.vmHealth?.status?.code?.split('/')[1]?.toLowerCase();
  return {
    name: vm.name ?? '?',
    priority: vm.priority === 'Spot' || vm.priority === 'Low' ? 'Spot' : vm.priority ? 'Regular' : null,
    zone: vm.zones?.[0] ?? null,
    provisioningState: vm.provisioningState ?? 'Unknown',
    powerState: power,
    health: healthCode ? (HEALTH[healthCode] ?? 'Unknown') : null,
    createdAt: vm.timeCreated ? new Date(vm.timeCreated).getTime() : null,
    evictionNotBefore: null,
  };
}

async function observePool(
  stack: OpsStack,
  pool: OpsStack['config']['pools'][number],
  prices: Map<string, Promise<VmPrice | null>>,
  notes: string[],
): Promise<PoolObservation> {
  const compute = await computeClient(stack.target);
  const vmssName = stack.names.vmss[pool.name];
  const vmssId =
    `/subscriptions/${stack.target.subscriptionId}/resourceGroups/${stack.resourceGroup}` +
    `/providers/Microsoft.Compute/virtualMachineScaleSets/${vmssName}`;
  let desired: number | null = null;
  try {
    const vmss = await compute.virtualMachineScaleSets.get(stack.resourceGroup, vmssName);
    desired = vmss.sku?.capacity ?? 0;
    const outbound = await outboundNote(stack.target, pool.name, vmss).catch(noted(notes, `outbound of ${pool.name}`));
    if (outbound) notes.push(outbound);
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  const instances: InstanceObservation[] = [];
  if (desired !== null) {
    // Flexible orchestration: the instances are ordinary VMs that reference the scale set.
    const filter = `'virtualMachineScaleSet/id' eq '${vmssId}'`;
    for await (const vm of compute.virtualMachines.list(stack.resourceGroup, { filter, expand: 'instanceView' })) {
      if (vm.virtualMachineScaleSet?.id?.toLowerCase() === vmssId.toLowerCase()) instances.push(toInstance(vm));
    }
  }
  let min = pool.capacity.min;
  let max = pool.capacity.max;
  let autoscaleEnabled: boolean | null = null;
  try {
    const setting = await (await monitorClient(stack.target)).autoscaleSettings.get(stack.resourceGroup, autoscaleSettingName(pool.name));
    autoscaleEnabled = setting.enabled ?? true;
    const cap = setting.profiles?.[0]?.capacity;
    if (cap) [min, max] = [Number(cap.minimum), Number(cap.maximum)];
  } catch (e) {
    if (!isNotFound(e)) notes.push(`autoscale setting of ${pool.name} unreadable: ${short(e)}`);
  }
  const key = `${stack.config.location}/${pool.sku}`;
  let pricing = prices.get(key);
  if (!pricing) {
    pricing = fetchVmPrice(stack.target, stack.config.location, pool.sku).catch(noted(notes, `prices for ${pool.sku}`));
    prices.set(key, pricing);
  }
  const price = await pricing;
  return {
    name: pool.name,
    model: pool.model,
    sku: pool.sku,
    desired,
    min,
    max,
    autoscaleEnabled,
    instances,
    pricePerHour: price ?? { spot: null, regular: null },
  };
}

export async function readRegistry(stack: OpsStack): Promise<RegistryDoc[]> {
  const { REGISTRY_CONTAINER } = await import('../../contracts/registry.js');
  const { COSMOS_DATABASE } = await import('../provision/desired/data.js');
  const { database } = await cosmosDatabase(stack.target, stack.resourceGroup, stack.names.cosmos, COSMOS_DATABASE);
  const { resources } = await database.container(REGISTRY_CONTAINER).items.query<RegistryDoc>('SELECT * FROM c').fetchAll();
  return resources;
}

/** The gateway's /health/ready (readiness: Cosmos, registry, a replica); its route prefix is "". */
async function probeGateway(stack: OpsStack, signal: AbortSignal): Promise<GatewayObservation> {
  const { WebSiteManagementClient } = await import('@azure/arm-appservice');
  const { armClientOptions } = await import('../azure/target.js');
  const web = new WebSiteManagementClient(stack.target.credential, stack.target.subscriptionId, armClientOptions(stack.target));
  let host: string | undefined;
  try {
    host = (await web.webApps.get(stack.resourceGroup, stack.names.functionApp)).defaultHostName;
  } catch (e) {
    if (isNotFound(e)) return { ready: false, detail: `function app ${stack.names.functionApp} does not exist` };
    throw e;
  }
  if (!host) return { ready: false, detail: 'the function app has no host name yet' };
  // Never resolve an Azure host name when the gateway runs on a loopback port (the local cloud).
  if (stack.target.gatewayOnLoopback && /\.azurewebsites\.net$/i.test(host)) return probeLocalGateway(stack, signal);
  const https = await import('node:https');
  const agent = dataPlaneAgent(stack.target);
  return new Promise((resolve) => {
    const req = https.get(`https://${host}/health/ready`, { agent, signal, timeout: 5_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        let status = '';
        try {
          status = String((JSON.parse(text) as { status?: string }).status ?? '');
        } catch {
          status = text.slice(0, 80);
        }
        resolve({ ready: res.statusCode === 200, detail: `${res.statusCode}${status ? ` ${status}` : ''}` });
      });
    });
    req.on('timeout', () => req.destroy(new Error('no answer in 5 s')));
    req.on('error', (e) => resolve({ ready: false, detail: `unreachable: ${short(e)}` }));
  });
}

async function queryTraffic(stack: OpsStack, now: number): Promise<TrafficWindow[]> {
  const out: TrafficWindow[] = [];
  for (const minutes of [5, 60]) {
    const from = now - minutes * 60_000;
    const [requests, errors, cacheHits] = await Promise.all([
      countQuery(stack, { from, requests: 'all' }),
      countQuery(stack, { from, requests: 'errors' }),
      countQuery(stack, { from, requests: 'cacheHits' }),
    ]);
    out.push({ minutes, requests, errors, cacheHits });
  }
  return out;
}

export async function collectStatus(ctx: Context): Promise<StatusInput> {
  const stack = await loadStack(ctx);
  const notes: string[] = [];
  const prices = new Map<string, Promise<VmPrice | null>>();
  const now = ctx.clock.now();
  const [pools, registry, gateway, traffic] = await Promise.all([
    Promise.all(stack.config.pools.map((p) => arm(observePool(stack, p, prices, notes)))),
    readRegistry(stack).catch(noted(notes, 'registry')),
    probeGateway(stack, ctx.signal).catch((e): GatewayObservation => ({ ready: false, detail: `unknown: ${short(e)}` })),
    queryTraffic(stack, now).catch(noted(notes, 'log analytics')),
  ]);
  // Eviction notices reach the VM only (IMDS); the agent republishes them in its registry doc.
  for (const p of pools)
    for (const i of p.instances) {
      const doc = registry?.find((d) => d.id === i.name) as (RegistryDoc & { evictionNotBefore?: number }) | undefined;
      if (typeof doc?.evictionNotBefore === 'number') i.evictionNotBefore = doc.evictionNotBefore;
    }
  return { now: ctx.clock.now(), pools, registry, gateway, traffic, notes };
}

/** The local cloud reports where the gateway process listens (`/_emulator/info`); probe that. */
async function probeLocalGateway(stack: OpsStack, signal: AbortSignal): Promise<GatewayObservation> {
  const https = await import('node:https');
  const token = (await stack.target.credential.getToken(`${stack.target.armEndpoint}/.default`))?.token;
  const info = await new Promise<{ platform?: boolean; localGatewayUrl?: string }>((resolve) => {
    const req = https.get(
      `${stack.target.armEndpoint}/_emulator/info`,
      { ca: stack.target.caCertPem, headers: { authorization: `Bearer ${token}` }, signal, timeout: 5_000 },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => {
          try {
            resolve(JSON.parse(text) as { platform?: boolean; localGatewayUrl?: string });
          } catch {
            resolve({});
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({}));
  });
  if (!info.platform) return { ready: null, detail: 'API-only local cloud: no processes run (not probed)' };
  if (!info.localGatewayUrl)
    return { ready: false, detail: 'local cloud: no gateway process runs (deploy the code with `gpuarb up --local`)' };
  try {
    const r = await fetch(`${info.localGatewayUrl}/health/ready`, { signal: AbortSignal.any([signal, AbortSignal.timeout(5_000)]) });
    const body = (await r.json().catch(() => ({}))) as { status?: string };
    return {
      ready: r.status === 200,
      detail: `${r.status}${body.status ? ` ${body.status}` : ''} (local gateway ${info.localGatewayUrl})`,
    };
  } catch (e) {
    return { ready: false, detail: `unreachable: ${short(e)}` };
  }
}
