// Where ARM calls go and everything that differs between Azure and the local cloud (emulator/):
// endpoints, TLS trust, polling, retries, confirmations, portal links. A target is built once per
// run (src/azure/resolve-target.ts) and every client is built from it, so the rest of the code
// asks the target instead of testing which cloud it is. Every SDK client takes
// `armClientOptions(target)`.
import type { TokenCredential } from '@azure/core-auth';

export const AZURE_ARM_ENDPOINT = 'https://management.azure.com';

export interface AzureTarget {
  /** Which cloud, for messages and for what only the local cloud can do; decide with the traits below. */
  kind: 'azure' | 'local';
  subscriptionId: string;
  armEndpoint: string;
  credential: TokenCredential;
  /** The local cloud's CA, trusted by every client built from this target. */
  caCertPem?: string;
  /**
   * The local cloud daemon's state directory: only a daemon runs the platform's processes (agents,
   * gateway), so only then can they be waited for and stopped. An API-only local cloud has none.
   */
  stateDir?: string;
  /** Between two polls of a long-running operation or of a wait for instances. */
  pollIntervalMs: number;
  /** The SDKs' long-running-operation poll interval; undefined keeps Azure's Retry-After. */
  sdkPollIntervalMs?: number;
  /** Retries of a data-plane client (Key Vault) before an error surfaces. */
  dataPlaneRetries: number;
  endpoints: {
    /** Log Analytics queries; undefined: the SDK's default (Azure's public endpoint). */
    logsQuery?: string;
    /** The Retail Prices API (public and unauthenticated in Azure; sample data locally). */
    retailPrices: string;
  };
  /** Cosmos DB's regional endpoint discovery (the local cloud has one endpoint only). */
  cosmosEndpointDiscovery: boolean;
  /**
   * Changes are confirmed (or --yes) before they are made. The local cloud is disposable and
   * converges again in seconds, so `up --local` and `down --local` do not ask.
   */
  confirmChanges: boolean;
  /**
   * The local cloud keeps Azure's host names in ARM but runs the gateway on a loopback port it
   * does not publish there: such a name must never be resolved from a local run.
   */
  gatewayOnLoopback: boolean;
  /** The Azure portal page of a resource, where there is a portal. */
  portalUrl(resourceId: string): string | undefined;
  /** What the public data APIs (Retail Prices, Resource Graph) answer with: Azure's, or labelled samples. */
  publicData: 'live' | 'sample';
  /** A service of this cloud as a message names it: "Azure Resource Graph", "the local cloud's Resource Graph". */
  serviceName(service: string): string;
}

export interface TargetBase {
  subscriptionId: string;
  armEndpoint: string;
  credential: TokenCredential;
  caCertPem?: string;
  stateDir?: string;
}

/** Azure Resource Manager with its public data-plane endpoints. */
export function azureTarget(base: Omit<TargetBase, 'armEndpoint' | 'caCertPem' | 'stateDir'> & { armEndpoint?: string }): AzureTarget {
  return {
    kind: 'azure',
    armEndpoint: AZURE_ARM_ENDPOINT,
    ...base,
    pollIntervalMs: 5_000,
    dataPlaneRetries: 3,
    endpoints: { retailPrices: 'https://prices.azure.com/api/retail/prices' },
    cosmosEndpointDiscovery: true,
    confirmChanges: true,
    gatewayOnLoopback: false,
    portalUrl: (resourceId) => `https://portal.azure.com/#@/resource${resourceId}`,
    publicData: 'live',
    serviceName: (service) => `Azure ${service}`,
  };
}

/** The local cloud: one https port for ARM and its data planes, fast polling, no portal. */
export function localCloudTarget(base: TargetBase): AzureTarget {
  return {
    kind: 'local',
    ...base,
    pollIntervalMs: 200,
    sdkPollIntervalMs: 100,
    dataPlaneRetries: 1,
    // With an explicit endpoint the Log Analytics client does not add `/v1` itself.
    endpoints: { logsQuery: `${base.armEndpoint}/v1`, retailPrices: `${base.armEndpoint}/api/retail/prices` },
    cosmosEndpointDiscovery: false,
    confirmChanges: false,
    gatewayOnLoopback: true,
    portalUrl: () => undefined,
    publicData: 'sample',
    serviceName: (service) => `the local cloud's ${service}`,
  };
}

/** Options every Azure SDK client takes: endpoint and TLS trust. */
export function armClientOptions(t: AzureTarget): { endpoint: string; tlsOptions?: { ca: string } } {
  return t.caCertPem ? { endpoint: t.armEndpoint, tlsOptions: { ca: t.caCertPem } } : { endpoint: t.armEndpoint };
}

/** The local cloud's state directory for this working directory. */
export function localStateDir(ctx: { cwd: string; env: Record<string, string | undefined> }): string {
  return ctx.env.GPUARB_LOCAL_STATE_DIR ?? `${ctx.cwd}/.gpuarb/local`;
}
