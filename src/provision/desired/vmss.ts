// One Flexible-orchestration scale set per pool, with its autoscale setting. Azure rules
// (docs/design.md): Spot Priority Mix needs Flexible + singlePlacementGroup false; Spot cannot be
// turned on later (priority is create-only); a Flexible set with a VM profile needs
// networkProfile.networkApiVersion; automatic repairs grace period 10–90 min; the health
// extension's grace period at most 14400 s (docs/emulator.md ### 7.).
import { createHash } from 'node:crypto';
import type { PoolConfig } from '../../config/schema.js';
import { TAG_CODE_HASH, TAG_SSH_PUBLIC_KEY, type ArmTemplate, type DesiredResource } from '../types.js';
import { ref, resource, trackedOwned, type GraphContext } from './context.js';
import { poolIdentityId, registryKeySecretName } from './pool-identities.js';
import { SECRET_NAMES } from './keyvault.js';

/** Port the fleet agent serves its OpenAI API and /health on. */
export const AGENT_PORT = 8080;
/** App Insights custom metric the agents publish (average queue depth), dimension `pool`. */
const QUEUE_METRIC = 'gpuarb.agent.queue';
const ADMIN_USER = 'gpuarb';

/**
 * How long a new VM may take to download and load its model before its health counts. The
 * Application Health extension holds a new instance in Initializing for up to its `gracePeriod`
 * (seconds, at most 14400), and automatic repairs wait `automaticRepairsPolicy.gracePeriod`
 * (PT10M–PT90M) after the VM is created, so both get the same allowance: 70B-class weights
 * (~140 GB) take long to fetch and load, so they get the longest repair grace Azure allows.
 * An allowance, not a measurement: docs/architecture.md (fleet) says how to size it.
 */
function loadGraceMinutes(pool: PoolConfig): number {
  return /70b|NC96|mixtral/i.test(`${pool.model} ${pool.sku}`) ? 90 : 30;
}
/** Consecutive identical probe answers before the health state changes: one slow answer is not a verdict. */
const HEALTH_PROBES = 3;

function image(pool: PoolConfig) {
  // GPU engines get the HPC image with NVIDIA drivers and CUDA; sim/llamacpp run on plain Ubuntu.
  return pool.engine === 'vllm'
    ? { publisher: 'microsoft-dsvm', offer: 'ubuntu-hpc', sku: '2204', version: 'latest' }
    : { publisher: 'Canonical', offer: '0001-com-ubuntu-server-jammy', sku: '22_04-lts-gen2', version: 'latest' };
}

export function scaleSet(ctx: GraphContext, pool: PoolConfig): DesiredResource[] {
  const { ids, config } = ctx;
  const id = ids.vmss(pool.name);
  const cloudInit = ctx.cloudInit[pool.name] ?? '';
  // Placeholders the cloud-init template uses for values only ARM knows (see artifacts.ts).
  const customData: ArmTemplate = {
    $template: {
      text: cloudInit,
      encoding: 'base64',
      vars: {
        CLIENT_ID: ref(ids.identities.agent, 'properties.clientId'),
        POOL_CLIENT_ID: ref(poolIdentityId(ctx, pool.name), 'properties.clientId'),
        BLOB_ENDPOINT: ref(ids.storage, 'properties.primaryEndpoints.blob'),
        VAULT_URI: ref(ids.keyVault, 'properties.vaultUri'),
        COSMOS_ENDPOINT: ref(ids.cosmos, 'properties.documentEndpoint'),
      },
    },
  };
  // GET never returns customData, so its hash rides in a tag: a cloud-init change (new agent
  // bundle) shows as a tag change and the PUT rolls the new model out (rolling upgrade).
  const codeHash = createHash('sha256').update(cloudInit).digest('hex').slice(0, 16);
  const spot = pool.spot;
  const capacity = pool.capacity.initial ?? pool.capacity.min;
  const sshSecret = `${ids.keyVault}/secrets/${SECRET_NAMES.vmssSshPrivateKey}`;
  const vmss = resource({
    id,
    type: 'Microsoft.Compute/virtualMachineScaleSets',
    label: `vmss/${pool.name}`,
    body: {
      location: config.location,
      tags: { ...ctx.tags, 'gpuarb-pool': pool.name, 'gpuarb-model': pool.model, [TAG_CODE_HASH]: codeHash },
      zones: spot.zones,
      // The pool's own identity reads only this pool's registry secret (pool-identities.ts).
      identity: { type: 'UserAssigned', userAssignedIdentities: { [ids.identities.agent]: {}, [poolIdentityId(ctx, pool.name)]: {} } },
      sku: { name: pool.sku, tier: 'Standard', capacity },
      properties: {
        orchestrationMode: 'Flexible',
        singlePlacementGroup: false,
        platformFaultDomainCount: 1,
        // maxSurge adds the new-model VMs before removing old ones, and the health extension
        // gates each batch, so a rollout never takes the pool below its ready minimum.
        upgradePolicy: {
          mode: 'Rolling',
          rollingUpgradePolicy: {
            maxBatchInstancePercent: 20,
            maxUnhealthyInstancePercent: 20,
            maxUnhealthyUpgradedInstancePercent: 20,
            pauseTimeBetweenBatches: 'PT0S',
            prioritizeUnhealthyInstances: true,
            maxSurge: true,
          },
        },
        automaticRepairsPolicy: { enabled: true, gracePeriod: `PT${loadGraceMinutes(pool)}M`, repairAction: 'Replace' },
        ...(spot.enabled
          ? {
              priorityMixPolicy: {
                baseRegularPriorityCount: spot.regularBase,
                regularPriorityPercentageAboveBase: spot.regularPercentAboveBase,
              },
            }
          : {}),
        virtualMachineProfile: {
          ...(spot.enabled
            ? { priority: 'Spot', evictionPolicy: spot.evictionPolicy, billingProfile: { maxPrice: spot.maxPrice } }
            : { priority: 'Regular' }),
          osProfile: {
            computerNamePrefix: pool.name,
            adminUsername: ADMIN_USER,
            customData,
            linuxConfiguration: {
              disablePasswordAuthentication: true,
              ssh: {
                publicKeys: [{ path: `/home/${ADMIN_USER}/.ssh/authorized_keys`, keyData: ref(sshSecret, `tags.${TAG_SSH_PUBLIC_KEY}`) }],
              },
            },
          },
          storageProfile: {
            imageReference: image(pool),
            osDisk: {
              createOption: 'FromImage',
              deleteOption: 'Delete',
              caching: 'ReadOnly',
              diskSizeGB: 256,
              managedDisk: { storageAccountType: 'Premium_LRS' },
            },
          },
          networkProfile: {
            networkApiVersion: '2022-11-01',
            networkInterfaceConfigurations: [
              {
                name: 'nic',
                properties: {
                  primary: true,
                  // NICs and disks go with their VM: evictions and scale-in leave no orphans.
                  deleteOption: 'Delete',
                  enableAcceleratedNetworking: pool.engine === 'vllm',
                  ipConfigurations: [{ name: 'ipconfig', properties: { primary: true, subnet: { id: ids.vmssSubnet } } }],
                },
              },
            ],
          },
          extensionProfile: {
            extensions: [
              {
                name: 'health',
                properties: {
                  publisher: 'Microsoft.ManagedServices',
                  type: 'ApplicationHealthLinux',
                  typeHandlerVersion: '2.0',
                  autoUpgradeMinorVersion: true,
                  // Rich health states (typeHandlerVersion 2.0): the agent answers
                  // {"ApplicationHealthState":"Initializing"} while the model loads, then
                  // Healthy, or Unhealthy once the engine failed.
                  settings: {
                    protocol: 'http',
                    port: AGENT_PORT,
                    requestPath: '/health/app',
                    intervalInSeconds: 5,
                    numberOfProbes: HEALTH_PROBES,
                    gracePeriod: loadGraceMinutes(pool) * 60,
                  },
                },
              },
            ],
          },
          diagnosticsProfile: { bootDiagnostics: { enabled: true } },
        },
      },
    },
    dependsOn: [
      ids.vnet,
      ids.identities.agent,
      poolIdentityId(ctx, pool.name),
      // The agent reads its pool's registry secret at boot.
      `${ids.keyVault}/secrets/${registryKeySecretName(pool.name)}`,
      ids.keyVault,
      ids.cosmos,
      sshSecret,
      `${ids.storage}/blobServices/default/containers/deployments`,
    ],
    owned: trackedOwned(
      ctx,
      'tags.gpuarb-pool',
      'tags.gpuarb-model',
      `tags.${TAG_CODE_HASH}`,
      'zones',
      'sku.name',
      'identity.userAssignedIdentities',
      'properties.orchestrationMode',
      'properties.singlePlacementGroup',
      'properties.upgradePolicy',
      'properties.automaticRepairsPolicy',
      'properties.priorityMixPolicy',
      'properties.virtualMachineProfile.priority',
      'properties.virtualMachineProfile.evictionPolicy',
      'properties.virtualMachineProfile.billingProfile',
      'properties.virtualMachineProfile.storageProfile.imageReference',
      'properties.virtualMachineProfile.networkProfile.networkApiVersion',
      'properties.virtualMachineProfile.extensionProfile.extensions',
    ),
    // Capacity belongs to autoscale after creation; priority and zones cannot change in place.
    createOnly: [
      'sku.capacity',
      'properties.virtualMachineProfile.priority',
      'zones',
      'properties.virtualMachineProfile.osProfile.linuxConfiguration',
    ],
  });
  return [vmss, autoscale(ctx, pool, id)];
}

function autoscale(ctx: GraphContext, pool: PoolConfig, vmssId: string): DesiredResource {
  const { ids, config } = ctx;
  const a = pool.autoscale;
  const cooldown = `PT${Math.round(a.cooldown / 60)}M`;
  const trigger = (operator: string, threshold: number) => ({
    metricName: QUEUE_METRIC,
    metricNamespace: 'azure.applicationinsights',
    metricResourceUri: ids.appInsights,
    timeGrain: 'PT1M',
    statistic: 'Average',
    timeWindow: 'PT5M',
    timeAggregation: 'Average',
    operator,
    threshold,
    dimensions: [{ DimensionName: 'pool', Operator: 'Equals', Values: [pool.name] }],
  });
  return resource({
    id: `${ids.rg}/providers/Microsoft.Insights/autoscaleSettings/autoscale-${pool.name}`,
    type: 'Microsoft.Insights/autoscaleSettings',
    label: `autoscale/${pool.name}`,
    body: {
      location: config.location,
      tags: ctx.tags,
      properties: {
        enabled: a.enabled,
        targetResourceUri: vmssId,
        targetResourceLocation: config.location,
        profiles: [
          {
            name: 'queue-depth',
            capacity: {
              minimum: String(pool.capacity.min),
              maximum: String(pool.capacity.max),
              default: String(pool.capacity.initial ?? pool.capacity.min),
            },
            rules: [
              {
                metricTrigger: trigger('GreaterThan', a.scaleOutQueueAbove),
                scaleAction: { direction: 'Increase', type: 'ChangeCount', value: '1', cooldown },
              },
              {
                metricTrigger: trigger('LessThan', a.scaleInQueueBelow),
                scaleAction: { direction: 'Decrease', type: 'ChangeCount', value: '1', cooldown },
              },
            ],
          },
        ],
      },
    },
    dependsOn: [vmssId, ids.appInsights],
    owned: trackedOwned(ctx, 'properties.enabled', 'properties.targetResourceUri', 'properties.profiles'),
  });
}
