// Blob and Queue on the local cloud answer as Azure Storage does: an Owner of the subscription
// gets 403 AuthorizationPermissionMismatch until a Storage … Data role covers the container or
// queue, and Shared Key is refused with 403 KeyBasedAuthenticationNotPermitted on an account with
// allowSharedKeyAccess: false. Real SDK clients through the real Azurite.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { ResourceManagementClient } from '@azure/arm-resources';
import { StorageManagementClient } from '@azure/arm-storage';
import { BlockBlobClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { QueueClient } from '@azure/storage-queue';
import { required } from '../../lib/required.js';
import { startEmulator, type Emulator } from '../index.js';
import { AZURITE_ACCOUNT, AZURITE_KEY } from './services/azurite.js';

const BLOB_DATA_CONTRIBUTOR = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe';
const QUEUE_DATA_CONTRIBUTOR = '974c5e8b-45b9-4653-ba55-5f855dd0fb88';
const OWNER = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635';

let emu: Emulator;
let accountId: string;
let endpoints: { blob: string; queue: string };
const rg = 'rg-storage-rbac';

async function grant(scope: string, role: string): Promise<void> {
  const auth = new AuthorizationManagementClient(emu.credential, emu.subscriptionId, emu.clientOptions());
  await auth.roleAssignments.create(scope, randomUUID(), {
    roleDefinitionId: `/subscriptions/${emu.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${role}`,
    principalId: emu.operatorObjectId,
  });
}
const trust = () => ({ tlsOptions: { ca: emu.caCertPem } }) as object;

beforeAll(async () => {
  emu = await startEmulator({ platform: true });
  await new ResourceManagementClient(emu.credential, emu.subscriptionId, emu.clientOptions()).resourceGroups.createOrUpdate(rg, {
    location: 'eastus',
  });
  const storage = new StorageManagementClient(emu.credential, emu.subscriptionId, emu.clientOptions());
  const account = await storage.storageAccounts.create(
    rg,
    'gpuarbrbacsa',
    { location: 'eastus', kind: 'StorageV2', sku: { name: 'Standard_LRS' }, allowSharedKeyAccess: false },
    { updateIntervalInMs: 1 },
  );
  accountId = required(account.id, 'the account id');
  await storage.blobContainers.create(rg, 'gpuarbrbacsa', 'deployments', {});
  // Through the generic client: the local cloud answers a queue PUT 201, which arm-storage's queue.create rejects.
  await new ResourceManagementClient(emu.credential, emu.subscriptionId, emu.clientOptions()).resources.beginCreateOrUpdateByIdAndWait(
    `${accountId}/queueServices/default/queues/jobs`,
    '2025-08-01',
    { properties: {} },
    { updateIntervalInMs: 1 },
  );
  const read = await storage.storageAccounts.getProperties(rg, 'gpuarbrbacsa');
  endpoints = {
    blob: required(read.primaryEndpoints?.blob, 'blob endpoint'),
    queue: required(read.primaryEndpoints?.queue, 'queue endpoint'),
  };
}, 60_000);
afterAll(async () => emu?.stop());

describe('Blob data-plane RBAC', () => {
  const blob = () => new BlockBlobClient(`${endpoints.blob}deployments/agent.mjs`, emu.credential, trust());

  it('refuses an upload by an Owner of the subscription: 403 AuthorizationPermissionMismatch', async () => {
    await grant(`/subscriptions/${emu.subscriptionId}`, OWNER);
    await expect(blob().uploadData(Buffer.from('x'))).rejects.toMatchObject({ statusCode: 403, code: 'AuthorizationPermissionMismatch' });
  });

  it('accepts it with Storage Blob Data Contributor on the container', async () => {
    await grant(`${accountId}/blobServices/default/containers/deployments`, BLOB_DATA_CONTRIBUTOR);
    await blob().uploadData(Buffer.from('bundle'));
    expect((await blob().downloadToBuffer()).toString()).toBe('bundle');
  });

  it('refuses Shared Key on an account with allowSharedKeyAccess: false: 403 KeyBasedAuthenticationNotPermitted', async () => {
    const keyed = new BlockBlobClient(
      `${endpoints.blob}deployments/agent.mjs`,
      new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
      trust(),
    );
    await expect(keyed.uploadData(Buffer.from('y'))).rejects.toMatchObject({ statusCode: 403, code: 'KeyBasedAuthenticationNotPermitted' });
  });
});

describe('Queue data-plane RBAC', () => {
  const queue = () => new QueueClient(`${endpoints.queue}jobs`, emu.credential, trust());

  it('refuses sending a message without a queue data role, accepts it with Storage Queue Data Contributor', async () => {
    await expect(queue().sendMessage('job-1')).rejects.toMatchObject({ statusCode: 403, code: 'AuthorizationPermissionMismatch' });
    await grant(`${accountId}/queueServices/default/queues/jobs`, QUEUE_DATA_CONTRIBUTOR);
    await queue().sendMessage('job-1');
    const got = await queue().receiveMessages();
    expect(got.receivedMessageItems.map((m) => m.messageText)).toEqual(['job-1']);
  });
});
