// Storage (function deployment container, job queue) and Cosmos DB serverless with its four
// containers. Partition keys and TTLs are explained in docs/provisioning.md.
import { CONTAINERS } from '../../../contracts/cosmos-containers.js';
import type { DesiredResource } from '../types.js';
import { resource, trackedOwned, type GraphContext } from './context.js';

export const DEPLOYMENT_CONTAINER = 'deployments';
export const JOB_QUEUE = 'jobs';
export const COSMOS_DATABASE = 'gpuarb';

/** Container → partition key and default TTL (seconds; undefined = no TTL). */
function cosmosContainers(ctx: GraphContext): Array<{ name: string; partitionKey: string; defaultTtl?: number }> {
  const g = ctx.config.gateway;
  return [
    // The partition keys are the gateway's (contracts/cosmos-containers.ts), the one contract.
    // Cache entries are point reads by id (a hash of model + prompt + params); items carry ttl.
    { name: CONTAINERS.cache.id, partitionKey: CONTAINERS.cache.partitionKey, defaultTtl: g.cache.ttl },
    // The gateway reads one pool's replicas at a time; TTL is only a backstop (lastSeen decides).
    { name: CONTAINERS.registry.id, partitionKey: CONTAINERS.registry.partitionKey, defaultTtl: 300 },
    // Usage is billed and queried per customer; kept (no TTL): it is the invoice.
    { name: CONTAINERS.usage.id, partitionKey: CONTAINERS.usage.partitionKey },
    // Jobs are polled by id (GET /v1/jobs/{id}); results expire after resultTtl.
    { name: CONTAINERS.jobs.id, partitionKey: CONTAINERS.jobs.partitionKey, defaultTtl: g.jobs.resultTtl },
  ];
}

export function storage(ctx: GraphContext): DesiredResource[] {
  const { ids, config } = ctx;
  const account = resource({
    id: ids.storage,
    type: 'Microsoft.Storage/storageAccounts',
    label: 'storage',
    body: {
      location: config.location,
      tags: ctx.tags,
      kind: 'StorageV2',
      sku: { name: 'Standard_LRS' },
      properties: {
        minimumTlsVersion: 'TLS1_2',
        supportsHttpsTrafficOnly: true,
        allowBlobPublicAccess: false,
        // Entra ID only (every writer and reader has a data role): no account key to leak.
        allowSharedKeyAccess: false,
      },
    },
    dependsOn: [ids.rg],
    owned: trackedOwned(
      ctx,
      'kind',
      'sku.name',
      'properties.minimumTlsVersion',
      'properties.supportsHttpsTrafficOnly',
      'properties.allowBlobPublicAccess',
      'properties.allowSharedKeyAccess',
    ),
  });
  const container = resource({
    id: `${ids.storage}/blobServices/default/containers/${DEPLOYMENT_CONTAINER}`,
    type: 'Microsoft.Storage/storageAccounts/blobServices/containers',
    label: `blob/${DEPLOYMENT_CONTAINER}`,
    body: { properties: { publicAccess: 'None' } },
    dependsOn: [ids.storage],
    owned: ['properties.publicAccess'],
  });
  const queue = resource({
    id: `${ids.storage}/queueServices/default/queues/${JOB_QUEUE}`,
    type: 'Microsoft.Storage/storageAccounts/queueServices/queues',
    label: `queue/${JOB_QUEUE}`,
    body: { properties: {} },
    dependsOn: [ids.storage],
    owned: [],
  });
  return [account, container, queue];
}

export function cosmos(ctx: GraphContext): DesiredResource[] {
  const { ids, config } = ctx;
  const account = resource({
    id: ids.cosmos,
    type: 'Microsoft.DocumentDB/databaseAccounts',
    label: 'cosmos',
    body: {
      location: config.location,
      tags: ctx.tags,
      kind: 'GlobalDocumentDB',
      properties: {
        databaseAccountOfferType: 'Standard',
        // Serverless is single-region by Azure's rule.
        locations: [{ locationName: config.location, failoverPriority: 0, isZoneRedundant: false }],
        capabilities: [{ name: 'EnableServerless' }],
        backupPolicy: { type: 'Continuous', continuousModeProperties: { tier: 'Continuous7Days' } },
        consistencyPolicy: { defaultConsistencyLevel: 'Session' },
        // Entra ID (the managed identity's data-plane role) only: no account keys to leak.
        disableLocalAuth: true,
        minimalTlsVersion: 'Tls12',
      },
    },
    dependsOn: [ids.rg],
    owned: trackedOwned(
      ctx,
      'kind',
      'properties.backupPolicy.type',
      'properties.consistencyPolicy.defaultConsistencyLevel',
      'properties.disableLocalAuth',
    ),
    createOnly: ['properties.capabilities', 'properties.locations'],
  });
  const dbId = `${ids.cosmos}/sqlDatabases/${COSMOS_DATABASE}`;
  const db = resource({
    id: dbId,
    type: 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases',
    label: `cosmos/${COSMOS_DATABASE}`,
    body: { properties: { resource: { id: COSMOS_DATABASE }, options: {} } },
    dependsOn: [ids.cosmos],
    owned: ['properties.resource.id'],
  });
  const containers = cosmosContainers(ctx).map((c) =>
    resource({
      id: `${dbId}/containers/${c.name}`,
      type: 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers',
      label: `cosmos/${c.name}`,
      body: {
        properties: {
          resource: {
            id: c.name,
            partitionKey: { paths: [c.partitionKey], kind: 'Hash', version: 2 },
            ...(c.defaultTtl !== undefined ? { defaultTtl: c.defaultTtl } : {}),
          },
          // Serverless accounts take no throughput options.
          options: {},
        },
      },
      dependsOn: [dbId],
      owned: ['properties.resource.id', 'properties.resource.partitionKey.paths', 'properties.resource.defaultTtl'],
      createOnly: ['properties.resource.partitionKey'],
    }),
  );
  return [account, db, ...containers];
}
