// What every desired-state family builder receives: the parsed config, the derived names and
// ids, and the apply-time inputs that are still pure data (artifact hashes, rendered cloud-init).
import { createHash } from 'node:crypto';
import type { GpuarbConfig } from '../../config/schema.js';
import type { StackNames } from '../../config/names.js';
import { API_VERSIONS } from '../api-versions.js';
import { TAG_MANAGED_BY, TAG_STACK, type ArmRef, type DesiredResource } from '../types.js';

/** Code is part of the desired state (docs/provisioning.md): content hashes of the uploaded artifacts. */
export interface ArtifactRefs {
  /** Content hash of the gateway's Functions package; blob "gateway-<hash>.zip" in the container. */
  functionPackageHash: string;
  /** Content hash of the fleet-agent bundle; blob "agent-<hash>.mjs" (cloud-init fetches it). */
  agentBundleHash: string;
}

export interface GraphInput {
  config: GpuarbConfig;
  subscriptionId: string;
  names: StackNames;
  /** Absent when the packages are not built (unit tests, `plan` without code): no deploy steps. */
  artifacts?: ArtifactRefs;
  /** Rendered cloud-init (plain text, not yet base64) per pool name. */
  cloudInit: Record<string, string>;
  /**
   * The signed-in operator (the ARM token's `oid`): granted the data roles `up` and the ops
   * commands use. Absent in pure graph tests: then no operator grants.
   */
  operator?: { objectId: string; principalType: 'User' | 'ServicePrincipal' };
}

export interface GraphContext extends GraphInput {
  rgId: string;
  tags: Record<string, string>;
  ids: StackIds;
}

export interface StackIds {
  rg: string;
  vnet: string;
  vmssSubnet: string;
  functionsSubnet: string;
  nsg: string;
  natGateway: string;
  natPublicIp: string;
  identities: { gateway: string; apim: string; agent: string };
  keyVault: string;
  workspace: string;
  appInsights: string;
  actionGroup: string;
  storage: string;
  cosmos: string;
  plan: string;
  functionApp: string;
  apim: string;
  vmss: (pool: string) => string;
}

/** The components that each have their own managed identity. */
export type Component = keyof StackIds['identities'];

export function makeContext(input: GraphInput): GraphContext {
  const { names, subscriptionId } = input;
  const rgId = `/subscriptions/${subscriptionId}/resourceGroups/${names.resourceGroup}`;
  const p = (ns: string, rest: string) => `${rgId}/providers/${ns}/${rest}`;
  const vnet = p('Microsoft.Network', `virtualNetworks/${names.vnet}`);
  return {
    ...input,
    rgId,
    // Config tags first so ours always win: the stack tags are what plan/down find resources by.
    tags: { ...input.config.tags, [TAG_MANAGED_BY]: 'gpuarb', [TAG_STACK]: input.config.stack },
    ids: {
      rg: rgId,
      vnet,
      vmssSubnet: `${vnet}/subnets/snet-vmss`,
      functionsSubnet: `${vnet}/subnets/snet-functions`,
      nsg: p('Microsoft.Network', `networkSecurityGroups/${names.nsg}`),
      natGateway: p('Microsoft.Network', `natGateways/${names.natGateway}`),
      natPublicIp: p('Microsoft.Network', `publicIPAddresses/${names.natPublicIp}`),
      identities: {
        gateway: p('Microsoft.ManagedIdentity', `userAssignedIdentities/${names.gatewayIdentity}`),
        apim: p('Microsoft.ManagedIdentity', `userAssignedIdentities/${names.apimIdentity}`),
        agent: p('Microsoft.ManagedIdentity', `userAssignedIdentities/${names.agentIdentity}`),
      },
      keyVault: p('Microsoft.KeyVault', `vaults/${names.keyVault}`),
      workspace: p('Microsoft.OperationalInsights', `workspaces/${names.workspace}`),
      appInsights: p('Microsoft.Insights', `components/${names.appInsights}`),
      actionGroup: p('Microsoft.Insights', `actionGroups/${names.actionGroup}`),
      storage: p('Microsoft.Storage', `storageAccounts/${names.storage}`),
      cosmos: p('Microsoft.DocumentDB', `databaseAccounts/${names.cosmos}`),
      plan: p('Microsoft.Web', `serverfarms/${names.plan}`),
      functionApp: p('Microsoft.Web', `sites/${names.functionApp}`),
      apim: p('Microsoft.ApiManagement', `service/${names.apim}`),
      vmss: (pool) => p('Microsoft.Compute', `virtualMachineScaleSets/${names.vmss[pool]}`),
    },
  };
}

/** A DesiredResource with the api-version looked up from the one table. */
export function resource(r: Omit<DesiredResource, 'apiVersion'>): DesiredResource {
  const apiVersion = API_VERSIONS[r.type];
  if (!apiVersion) throw new Error(`no api-version for ${r.type}`);
  return { ...r, apiVersion };
}

export function ref(id: string, path: string, extra: { prefix?: string; suffix?: string } = {}): ArmRef {
  return { $ref: { id, path, ...extra } };
}

/**
 * Deterministic GUID (RFC 4122 layout, version 5-style from sha256) so reruns PUT the same
 * role-assignment name instead of creating a duplicate assignment.
 */
export function deterministicGuid(...parts: string[]): string {
  const h = createHash('sha256')
    .update(parts.map((s) => s.toLowerCase()).join('|'))
    .digest('hex');
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Owned fields shared by every tracked resource: location and our tags (each tag key separately). */
export function trackedOwned(ctx: GraphContext, ...more: string[]): string[] {
  return ['location', ...Object.keys(ctx.tags).map((k) => `tags.${k}`), ...more];
}
