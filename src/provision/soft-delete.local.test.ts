// Soft delete on the local cloud, as Azure does it: API Management keeps a deleted service for 48
// hours and refuses its name until it is restored or purged; a vault with purge protection
// cannot be purged. `down` then `up` with the same stack must still work.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../testkit/cloud.js';
import { converge, FAST_RETRY } from '../../testkit/converge.js';
import { defaultTestInput } from '../../testkit/fixtures/stack-config.js';
import { buildDesiredGraph } from './desired/index.js';
import { destroyStack } from './down.js';
import { deletedServiceId } from './soft-deleted-apim.js';

const V = '2024-05-01';

describe('soft delete: down then up', () => {
  let cloud: LocalCloud;
  beforeAll(async () => {
    cloud = await startLocalCloud();
  });
  afterAll(async () => cloud?.stop());

  const setup = (stack: string) => {
    const graph = buildDesiredGraph(defaultTestInput({ stack }, cloud.emulator.subscriptionId));
    const apim = graph.resources.find((r) => r.type === 'Microsoft.ApiManagement/service');
    if (!apim) throw new Error('the graph has no API Management service');
    const target = { stack, subscriptionId: cloud.emulator.subscriptionId, resourceGroupId: graph.resourceGroupId, location: 'eastus' };
    return { graph, apim, target, deletedId: deletedServiceId(cloud.emulator.subscriptionId, 'eastus', apim.id.split('/').pop() ?? '') };
  };

  it('the local cloud refuses a soft-deleted API Management name with Azure error until it is purged', async () => {
    const rg = `/subscriptions/${cloud.emulator.subscriptionId}/resourceGroups/rg-sd-raw`;
    await cloud.arm.put(rg, '2025-04-01', { location: 'eastus' });
    const id = `${rg}/providers/Microsoft.ApiManagement/service/apim-sd-raw`;
    const body = {
      location: 'eastus',
      sku: { name: 'Consumption', capacity: 0 },
      properties: { publisherEmail: 'a@b.c', publisherName: 'x' },
    };
    await cloud.arm.put(id, V, body);
    await cloud.arm.delete(id, V);
    const deletedId = deletedServiceId(cloud.emulator.subscriptionId, 'eastus', 'apim-sd-raw');
    const record = (await cloud.arm.get(deletedId, V)) as { properties: { serviceId: string; scheduledPurgeDate: string } };
    expect(record.properties.serviceId).toBe(id);
    const hours = (Date.parse(record.properties.scheduledPurgeDate) - Date.now()) / 3600_000;
    expect(hours).toBeGreaterThan(47.9);
    expect(hours).toBeLessThanOrEqual(48);
    const listed = (await cloud.arm.get(
      `/subscriptions/${cloud.emulator.subscriptionId}/providers/Microsoft.ApiManagement/deletedservices`,
      V,
    )) as {
      value: Array<{ name: string }>;
    };
    expect(listed.value.map((d) => d.name)).toContain('apim-sd-raw');
    // Even from another resource group: the name is global.
    const elsewhere = `/subscriptions/${cloud.emulator.subscriptionId}/resourceGroups/rg-sd-raw/providers/Microsoft.ApiManagement/service/apim-sd-raw`;
    await expect(cloud.arm.put(elsewhere, V, body)).rejects.toMatchObject({
      code: 'ServiceAlreadyExistsInSoftDeletedState',
      status: 409,
      message: expect.stringContaining('you have to either undelete the service or purge it'),
    });
    await cloud.arm.delete(deletedId, V); // purge
    expect(await cloud.arm.get(deletedId, V)).toBeUndefined();
    await expect(cloud.arm.put(id, V, body)).resolves.toBeTruthy();
  });

  it('up after down restores the stack own API Management with its customer subscription and key, and says so', async () => {
    const { graph, apim, target, deletedId } = setup('sdr');
    expect((await converge(graph, cloud.arm, { retry: FAST_RETRY })).result.ok).toBe(true);
    const sub = `${apim.id}/subscriptions/cust-acme`;
    await cloud.arm.put(sub, V, { properties: { scope: `${apim.id}/products/standard`, displayName: 'acme' } });
    const before = (await cloud.arm.post(sub, 'listSecrets', V)) as { primaryKey: string };

    const down = await destroyStack(cloud.arm, target);
    expect(down.failed).toEqual([]);
    expect(down.softDeleted).toContain(apim.id.split('/').pop());
    expect(await cloud.arm.get(deletedId, V)).toBeTruthy();

    const again = await converge(graph, cloud.arm, { retry: FAST_RETRY });
    const bad = again.result.steps.filter((s) => s.state !== 'done');
    expect(bad, JSON.stringify(bad, null, 2)).toEqual([]);
    const step = again.result.steps.find((s) => s.id === apim.id);
    expect(step?.note).toMatch(/restored the soft-deleted API Management service .* customer subscriptions and keys are back/);
    expect(await cloud.arm.get(deletedId, V)).toBeUndefined();
    const after = (await cloud.arm.post(sub, 'listSecrets', V)) as { primaryKey: string };
    expect(after.primaryKey).toBe(before.primaryKey);
  });

  it('down --purge purges API Management and says the purge-protected vault cannot be purged, without trying', async () => {
    const { graph, apim, target, deletedId } = setup('sdp');
    expect((await converge(graph, cloud.arm, { retry: FAST_RETRY })).result.ok).toBe(true);
    const purges: string[] = [];
    const log = cloud.counter.log;
    const start = log.length;
    const down = await destroyStack(cloud.arm, target, { purge: true });
    for (const r of log.slice(start)) if (/\/purge\?|deletedservices\//i.test(r.url) && r.method !== 'GET') purges.push(r.url);
    expect(down.failed).toEqual([]);
    expect(down.purgeFailed).toEqual([]);
    expect(down.purged).toEqual([apim.id.split('/').pop()]);
    const vault = graph.resources
      .find((r) => r.type === 'Microsoft.KeyVault/vaults')
      ?.id.split('/')
      .pop();
    expect(down.notPurgeable).toEqual([{ id: vault, reason: expect.stringMatching(/purge protection is on/) }]);
    expect(down.softDeleted).toEqual([vault]);
    expect(purges.some((u) => /deletedVaults/i.test(u))).toBe(false);
    expect(await cloud.arm.get(deletedId, V)).toBeUndefined();
    // What the purge would have met: the local cloud refuses it as Key Vault does.
    await expect(
      cloud.arm.post(
        `/subscriptions/${cloud.emulator.subscriptionId}/providers/Microsoft.KeyVault/locations/eastus/deletedVaults/${vault}`,
        'purge',
        '2026-02-01',
      ),
    ).rejects.toMatchObject({ status: 409, code: 'Conflict', message: expect.stringContaining('purge protection is enabled') });
    // A fresh create, no restore.
    const again = await converge(graph, cloud.arm, { retry: FAST_RETRY });
    expect(again.result.ok).toBe(true);
    expect(again.result.steps.find((s) => s.id === apim.id)?.note).toBeUndefined();
  });
});
