// `up` grants the signed-in operator (the token's oid) the data roles it uses itself, because
// the local cloud, like Azure, gives an Owner of the subscription no data access: without the
// grants (the graph before this change) the same upload and secret write get 403.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlockBlobClient } from '@azure/storage-blob';
import { startLocalCloud, type LocalCloud } from '../../testkit/cloud.js';
import { defaultTestInput } from '../../testkit/fixtures/stack-config.js';
import { signedInPrincipal } from '../azure/operator.js';
import { secretClient } from '../ops/azure-clients.js';
import { blobDeployer } from './artifacts.js';
import { applyPlan } from './apply.js';
import { buildDesiredGraph } from './desired/index.js';
import { computePlan } from './plan.js';
import type { DesiredGraph } from './types.js';

const KEEP = [
  'Microsoft.Resources/resourceGroups',
  'Microsoft.ManagedIdentity/userAssignedIdentities',
  'Microsoft.Storage/storageAccounts',
  'Microsoft.Storage/storageAccounts/blobServices/containers',
  'Microsoft.KeyVault/vaults',
];

/** The storage account, vault and what they need, plus the operator's grants when there are any. */
function dataGraph(withOperator: boolean, cloud: LocalCloud, operator: Awaited<ReturnType<typeof signedInPrincipal>>): DesiredGraph {
  const graph = buildDesiredGraph({ ...defaultTestInput({}, cloud.emulator.subscriptionId), ...(withOperator ? { operator } : {}) });
  return {
    ...graph,
    resources: graph.resources.filter((r) => KEEP.includes(r.type) || r.label.startsWith('role/operator/')),
  };
}

let cloud: LocalCloud;
let dir: string;
beforeAll(async () => {
  cloud = await startLocalCloud({ platform: true });
  dir = mkdtempSync(join(tmpdir(), 'gpuarb-operator-roles-'));
  writeFileSync(join(dir, 'agent-x.mjs'), 'bundle');
}, 60_000);
afterAll(async () => {
  await cloud?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('operator data roles', () => {
  it('without the grants, the operator (Owner of the subscription) gets 403 on the upload and the secret write', async () => {
    const operator = await signedInPrincipal(cloud.target);
    const graph = dataGraph(false, cloud, operator);
    const result = await applyPlan(graph, await computePlan(graph, cloud.arm), cloud.arm);
    expect(result.steps.filter((s) => s.state !== 'done')).toEqual([]);
    const storage = graph.resources.find((r) => r.type === 'Microsoft.Storage/storageAccounts')?.id ?? '';
    const account = (await cloud.arm.get(storage, '2025-08-01')) as { properties: { primaryEndpoints: { blob: string } } };
    const blob = new BlockBlobClient(`${account.properties.primaryEndpoints.blob}deployments/agent-x.mjs`, cloud.target.credential, {
      tlsOptions: { ca: cloud.emulator.caCertPem },
    } as object);
    await expect(blob.uploadData(Buffer.from('bundle'))).rejects.toMatchObject({
      statusCode: 403,
      code: 'AuthorizationPermissionMismatch',
    });
    const vault = (await cloud.arm.get(graph.resources.find((r) => r.type === 'Microsoft.KeyVault/vaults')?.id ?? '', '2024-11-01')) as {
      properties: { vaultUri: string };
    };
    const secrets = await secretClient(cloud.target, vault.properties.vaultUri);
    await expect(secrets.setSecret('hf-token', 'x')).rejects.toMatchObject({ statusCode: 403, code: 'Forbidden' });
  });

  it('up grants Blob Data Contributor on the deployments container and Secrets Officer on the vault, to the token oid', async () => {
    const operator = await signedInPrincipal(cloud.target);
    expect(operator.objectId).toBe(cloud.emulator.operatorObjectId);
    const graph = dataGraph(true, cloud, operator);
    const result = await applyPlan(graph, await computePlan(graph, cloud.arm), cloud.arm);
    expect(result.steps.filter((s) => s.state !== 'done')).toEqual([]);
    const storage = graph.resources.find((r) => r.type === 'Microsoft.Storage/storageAccounts')?.id ?? '';
    await blobDeployer(cloud.arm, cloud.target, { 'agent-x.mjs': join(dir, 'agent-x.mjs') }).ensureUploaded('agent-x.mjs', storage);
    const vault = (await cloud.arm.get(graph.resources.find((r) => r.type === 'Microsoft.KeyVault/vaults')?.id ?? '', '2024-11-01')) as {
      properties: { vaultUri: string };
    };
    const secrets = await secretClient(cloud.target, vault.properties.vaultUri);
    await secrets.setSecret('hf-token', 'x');
    expect((await secrets.getSecret('hf-token')).value).toBe('x');
  });
});

describe('role propagation', () => {
  it('the upload waits out a grant that takes effect late (bounded retry on 403)', async () => {
    const slow = await startLocalCloud({ platform: true, rbacPropagationMs: 2500 });
    try {
      const operator = await signedInPrincipal(slow.target);
      const graph = dataGraph(true, slow, operator);
      const result = await applyPlan(graph, await computePlan(graph, slow.arm), slow.arm);
      expect(result.steps.filter((s) => s.state !== 'done')).toEqual([]);
      const storage = graph.resources.find((r) => r.type === 'Microsoft.Storage/storageAccounts')?.id ?? '';
      const started = Date.now();
      await blobDeployer(slow.arm, slow.target, { 'agent-x.mjs': join(dir, 'agent-x.mjs') }).ensureUploaded('agent-x.mjs', storage);
      // It succeeded only once the assignment was in force, i.e. after at least one 403.
      expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    } finally {
      await slow.stop();
    }
  }, 60_000);
});
