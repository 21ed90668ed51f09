// SDK clients for the operator commands, each built from the AzureTarget (armClientOptions), each
// SDK imported on first use so `--help` stays fast. Data-plane clients (Key Vault, Log Analytics,
// Cosmos, Retail Prices) learn their endpoints from ARM, or from the target's endpoints.
import https from 'node:https';
import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import type { AzureTarget } from '../azure/target.js';
import { armClientOptions } from '../azure/target.js';
import { toAzureError } from '../azure/arm-errors.js';

/** The target's LRO poll interval for the SDK pollers (none: Azure's own Retry-After). */
export function lroOptions(t: AzureTarget): { updateIntervalInMs?: number } {
  return t.sdkPollIntervalMs === undefined ? {} : { updateIntervalInMs: t.sdkPollIntervalMs };
}

/** Awaits an SDK call and turns its failure into an AzureError with a hint. */
export async function arm<T>(p: Promise<T> | PromiseLike<T>, resourceId?: string): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw toAzureError(e, resourceId);
  }
}

/** True for an ARM/data-plane 404 (missing resource), whatever the SDK generation. */
export function isNotFound(e: unknown): boolean {
  const x = e as { statusCode?: number; status?: number; code?: string | number };
  return x?.statusCode === 404 || x?.status === 404 || x?.code === 404 || x?.code === 'ResourceNotFound' || x?.code === 'NotFound';
}

export async function computeClient(t: AzureTarget) {
  const { ComputeManagementClient } = await import('@azure/arm-compute');
  return new ComputeManagementClient(t.credential, t.subscriptionId, armClientOptions(t));
}

export async function monitorClient(t: AzureTarget) {
  const { MonitorClient } = await import('@azure/arm-monitor');
  return new MonitorClient(t.credential, t.subscriptionId, armClientOptions(t));
}

export async function apimClient(t: AzureTarget) {
  const { ApiManagementClient } = await import('@azure/arm-apimanagement');
  return new ApiManagementClient(t.credential, t.subscriptionId, armClientOptions(t));
}

// The local cloud serves vaults as `<vault>.vault.localhost`, which not every resolver maps to
// loopback (RFC 6761 says it should); resolve it ourselves, and trust the local CA.
const loopbackLookup: LookupFunction = (hostname, options, callback) => {
  const name = hostname.toLowerCase();
  if (name === 'localhost' || name.endsWith('.localhost')) {
    if (options.all) (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
    else callback(null, '127.0.0.1', 4);
    return;
  }
  dns.lookup(hostname, options, callback);
};

/** An https.Agent for data planes of the local cloud; undefined for Azure (default agent). */
export function dataPlaneAgent(t: AzureTarget): https.Agent | undefined {
  return t.caCertPem ? new https.Agent({ ca: t.caCertPem, lookup: loopbackLookup, keepAlive: false }) : undefined;
}

/** The vault's data-plane URL, as ARM reports it (`properties.vaultUri`). */
export async function vaultUrl(t: AzureTarget, resourceGroup: string, vaultName: string): Promise<string> {
  const { KeyVaultManagementClient } = await import('@azure/arm-keyvault');
  const client = new KeyVaultManagementClient(t.credential, t.subscriptionId, armClientOptions(t));
  const vault = await arm(client.vaults.get(resourceGroup, vaultName), vaultName);
  const uri = (vault as { properties?: { vaultUri?: string } }).properties?.vaultUri;
  if (!uri)
    throw toAzureError(Object.assign(new Error(`Key Vault ${vaultName} reports no vaultUri`), { name: 'RestError', statusCode: 500 }));
  return uri;
}

export async function secretClient(t: AzureTarget, url: string) {
  const { SecretClient } = await import('@azure/keyvault-secrets');
  const agent = dataPlaneAgent(t);
  return new SecretClient(url, t.credential, { ...(agent ? { agent } : {}), retryOptions: { maxRetries: t.dataPlaneRetries } });
}

/** The workspace's query id (customerId GUID): Log Analytics queries address it, not the ARM id. */
export async function workspaceCustomerId(t: AzureTarget, resourceGroup: string, workspace: string): Promise<string> {
  const { OperationalInsightsManagementClient } = await import('@azure/arm-operationalinsights');
  const client = new OperationalInsightsManagementClient(t.credential, t.subscriptionId, armClientOptions(t));
  const ws = await arm(client.workspaces.get(resourceGroup, workspace), workspace);
  if (!ws.customerId) throw new Error(`Log Analytics workspace ${workspace} reports no customerId`);
  return ws.customerId;
}

export async function logsClient(t: AzureTarget) {
  const { LogsQueryClient } = await import('@azure/monitor-query-logs');
  const endpoint = t.endpoints.logsQuery;
  return new LogsQueryClient(t.credential, {
    ...(endpoint ? { endpoint } : {}),
    ...(t.caCertPem ? { tlsOptions: { ca: t.caCertPem } } : {}),
  });
}

/**
 * Cosmos data plane: the endpoint from ARM, the operator's Entra token for auth (the account has
 * local auth disabled; `up` gives the operator a SQL role assignment), never an account key.
 */
export async function cosmosDatabase(t: AzureTarget, resourceGroup: string, account: string, database: string) {
  const { CosmosDBManagementClient } = await import('@azure/arm-cosmosdb');
  const mgmt = new CosmosDBManagementClient(t.credential, t.subscriptionId, armClientOptions(t));
  const acct = await arm(mgmt.databaseAccounts.get(resourceGroup, account), account);
  if (!acct.documentEndpoint) throw new Error(`Cosmos DB account ${account} reports no endpoint`);
  const { CosmosClient } = await import('@azure/cosmos');
  const agent = dataPlaneAgent(t);
  const client = new CosmosClient({
    endpoint: acct.documentEndpoint,
    aadCredentials: t.credential,
    ...(agent ? { agent } : {}),
    connectionPolicy: { enableEndpointDiscovery: t.cosmosEndpointDiscovery },
  });
  return { client, database: client.database(database) };
}
