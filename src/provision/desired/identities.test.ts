// The attack: a shell on one spot VM uses the VM's managed identity. With one identity for every
// component it could read every secret, rewrite the cache, usage and jobs, and so on. Each
// component's identity must hold exactly the grants listed here, scoped to exactly these
// resources; and the function app must admit only API Management's network.
import { describe, expect, it } from 'vitest';
import { defaultTestInput } from '../../../testkit/fixtures/stack-config.js';
import { buildDesiredGraph } from './index.js';
import { required } from '../../../lib/required.js';

type Props = Record<string, unknown>;
/** A resource body's `properties`, for reading a field the test checks. */
const propsOf = (r: { body: Record<string, unknown> }) => (r.body.properties ?? {}) as Props;

const graph = buildDesiredGraph(defaultTestInput());
const byId = new Map(graph.resources.map((r) => [r.id.toLowerCase(), r]));
const identities = graph.resources.filter((r) => r.type === 'Microsoft.ManagedIdentity/userAssignedIdentities');
const idOf = (component: string) =>
  required(
    identities.find((r) => r.label === `identity/${component}`),
    `the ${component} identity`,
  ).id;
const short = (id: string) => id.replace(/^.*\/providers\/Microsoft\.[A-Za-z]+\//, '');

/** "role definition → scope" for every grant (ARM and Cosmos data plane) held by `identity`. */
function grantsOf(identity: string): string[] {
  const out: string[] = [];
  for (const r of graph.resources) {
    const p = r.body.properties as { principalId?: { $ref?: { id: string } }; roleDefinitionId?: string; scope?: string } | undefined;
    if (p?.principalId?.$ref?.id !== identity) continue;
    if (r.type === 'Microsoft.Authorization/roleAssignments') {
      const scope = r.id.split('/providers/Microsoft.Authorization/')[0];
      out.push(`${required(p.roleDefinitionId, 'a roleDefinitionId').split('/').pop()} → ${short(scope)}`);
    } else if (r.type === 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments') {
      const def = required(byId.get(required(p.roleDefinitionId, 'a roleDefinitionId').toLowerCase()), 'its role definition');
      const scope = required(p.scope, 'a Cosmos role assignment scope');
      out.push(`cosmos:${propsOf(def).roleName} → ${scope.replace(/^.*\/dbs\//, 'dbs/')}`);
    }
  }
  return out.sort();
}

describe('one identity per component, with only what it uses', () => {
  it('has three identities, each used by its component only', () => {
    const components = identities.filter((r) => !r.label.startsWith('identity/pool/'));
    expect(components.map((r) => r.label).sort()).toEqual(['identity/agent', 'identity/apim', 'identity/gateway']);
    const users = (type: string) =>
      graph.resources
        .filter((r) => r.type === type)
        .map((r) => Object.keys((r.body.identity as { userAssignedIdentities: object }).userAssignedIdentities));
    expect(users('Microsoft.Web/sites')).toEqual([[idOf('gateway')]]);
    expect(users('Microsoft.ApiManagement/service')).toEqual([[idOf('apim')]]);
    // Each pool's VMs also have their pool's own identity (pool-identities.test.ts).
    expect(users('Microsoft.Compute/virtualMachineScaleSets').map((ids) => ids[0])).toEqual([idOf('agent'), idOf('agent'), idOf('agent')]);
  });

  it('the GPU VMs: their own secret, the agent bundle, their registry heartbeat, their log rows — nothing else', () => {
    expect(grantsOf(idOf('agent'))).toEqual([
      '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1 → storageAccounts/stdemoc569b0/blobServices/default/containers/deployments',
      '3913510d-42f4-4e42-8a64-420c390055eb → dataCollectionRules/dcr-demo-logs',
      '4633458b-17de-408a-b874-0445c86b69e6 → vaults/kv-demo-c569b0/secrets/internal-service-key',
      'cosmos:gpuarb-registry-writer → dbs/gpuarb/colls/registry',
    ]);
  });

  it('the gateway: its two secrets, its storage and queue, telemetry and log rows, cache/usage/jobs and a read-only registry', () => {
    expect(grantsOf(idOf('gateway'))).toEqual([
      '3913510d-42f4-4e42-8a64-420c390055eb → components/appi-demo',
      '3913510d-42f4-4e42-8a64-420c390055eb → dataCollectionRules/dcr-demo-logs',
      '4633458b-17de-408a-b874-0445c86b69e6 → vaults/kv-demo-c569b0/secrets/inference-api-key',
      '4633458b-17de-408a-b874-0445c86b69e6 → vaults/kv-demo-c569b0/secrets/internal-service-key',
      '4633458b-17de-408a-b874-0445c86b69e6 → vaults/kv-demo-c569b0/secrets/registry-key-llama70b',
      '4633458b-17de-408a-b874-0445c86b69e6 → vaults/kv-demo-c569b0/secrets/registry-key-mixtral',
      '4633458b-17de-408a-b874-0445c86b69e6 → vaults/kv-demo-c569b0/secrets/registry-key-phi3',
      '974c5e8b-45b9-4653-ba55-5f855dd0fb88 → storageAccounts/stdemoc569b0',
      'b7e6dc6d-f1e8-4753-8033-0ffdb3bd9c9a → storageAccounts/stdemoc569b0',
      'cosmos:gpuarb-gateway-data → dbs/gpuarb/colls/cache',
      'cosmos:gpuarb-gateway-data → dbs/gpuarb/colls/jobs',
      'cosmos:gpuarb-gateway-data → dbs/gpuarb/colls/usage',
      'cosmos:gpuarb-registry-reader → dbs/gpuarb/colls/registry',
    ]);
  });

  it('API Management: the secret behind its named value only', () => {
    expect(grantsOf(idOf('apim'))).toEqual(['4633458b-17de-408a-b874-0445c86b69e6 → vaults/kv-demo-c569b0/secrets/inference-api-key']);
  });

  it('no built-in Cosmos role and no write action outside what each custom role is for', () => {
    const defs = graph.resources.filter((r) => r.type === 'Microsoft.DocumentDB/databaseAccounts/sqlRoleDefinitions');
    const actions = Object.fromEntries(
      defs.map((d) => [propsOf(d).roleName, (propsOf(d).permissions as { dataActions: string[] }[])[0].dataActions]),
    );
    const writes = (role: string) => (actions[role] as string[]).filter((a) => /items\/(create|upsert|replace|delete)$/.test(a));
    expect(writes('gpuarb-registry-reader')).toEqual([]);
    expect(writes('gpuarb-registry-writer').map((a) => a.split('/').pop())).toEqual(['upsert', 'delete']);
    for (const r of graph.resources.filter((x) => x.type.endsWith('sqlRoleAssignments')))
      expect(propsOf(r).roleDefinitionId).not.toMatch(/0{8}-0{4}-0{4}-0{4}-0{11}[12]$/);
  });
});

describe('function app exposure', () => {
  it('denies by default and admits only the AzureCloud service tag of the region (API Management Consumption)', () => {
    const site = required(
      graph.resources.find((r) => r.type === 'Microsoft.Web/sites'),
      'the function app',
    );
    const sc = propsOf(site).siteConfig as Props;
    expect(sc.ipSecurityRestrictionsDefaultAction).toBe('Deny');
    expect(sc.ipSecurityRestrictions).toEqual([
      expect.objectContaining({ tag: 'ServiceTag', ipAddress: 'AzureCloud.eastus', action: 'Allow' }),
    ]);
  });
});
