import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResourceManagementClient } from '@azure/arm-resources';
import { startEmulator, type Emulator } from '../index.js';

let emu: Emulator;
let client: ResourceManagementClient;

beforeAll(async () => {
  emu = await startEmulator();
  client = new ResourceManagementClient(emu.credential, emu.subscriptionId, emu.clientOptions());
});
afterAll(async () => emu?.stop());

describe('resource groups through @azure/arm-resources', () => {
  it('creates, reads, tags, lists with paging and deletes', async () => {
    const rg = await client.resourceGroups.createOrUpdate('rg-one', { location: 'eastus', tags: { 'managed-by': 'gpuarb' } });
    expect(rg).toMatchObject({
      id: `/subscriptions/${emu.subscriptionId}/resourceGroups/rg-one`,
      name: 'rg-one',
      location: 'eastus',
      properties: { provisioningState: 'Succeeded' },
    });
    const again = await client.resourceGroups.createOrUpdate('rg-one', { location: 'eastus', tags: { a: 'b' } });
    expect(again.tags).toEqual({ a: 'b' });
    const patched = await client.resourceGroups.update('rg-one', { tags: { c: 'd' } });
    expect(patched.tags).toEqual({ c: 'd' });
    expect((await client.resourceGroups.checkExistence('rg-one')).body).toBe(true);
    expect((await client.resourceGroups.checkExistence('rg-none')).body).toBe(false);
    emu.control.setPageSize(2);
    for (const n of ['rg-two', 'rg-three', 'rg-four']) await client.resourceGroups.createOrUpdate(n, { location: 'westus2' });
    const names: (string | undefined)[] = [];
    for await (const g of client.resourceGroups.list()) names.push(g.name);
    expect(names).toEqual(['rg-one', 'rg-two', 'rg-three', 'rg-four']);
    emu.control.setPageSize(100);
    await client.resourceGroups.beginDeleteAndWait('rg-one', { updateIntervalInMs: 1 });
    await expect(client.resourceGroups.get('rg-one')).rejects.toMatchObject({ statusCode: 404, code: 'ResourceGroupNotFound' });
  });

  it('requires location and rejects a move to another location', async () => {
    const r = await fetchArm(emu, `/subscriptions/${emu.subscriptionId}/resourcegroups/rg-x?api-version=2025-04-01`, {
      method: 'PUT',
      body: {},
    });
    expect([r.status, r.body.error.code]).toEqual([400, 'LocationRequired']);
    await client.resourceGroups.createOrUpdate('rg-loc', { location: 'eastus' });
    await expect(client.resourceGroups.createOrUpdate('rg-loc', { location: 'westus2' })).rejects.toMatchObject({
      code: 'InvalidResourceGroupLocation',
    });
  });

  it('deletes what is in a group with it, through a polled operation', async () => {
    await client.resourceGroups.createOrUpdate('rg-full', { location: 'eastus' });
    const id = `/subscriptions/${emu.subscriptionId}/resourceGroups/rg-full/providers/Microsoft.Example/widgets/w1`;
    await client.resources.beginCreateOrUpdateByIdAndWait(
      id,
      '2024-01-01',
      { location: 'eastus', properties: { size: 1 } },
      { updateIntervalInMs: 1 },
    );
    // The delete must still be running when the GET below arrives. 30 ms was once outrun by a
    // loaded machine's scheduling; two seconds leaves no such race (the poller ends it as soon as
    // the work is done).
    emu.control.setLatency('Microsoft.Resources/resourceGroups', 2_000);
    const poller = await client.resourceGroups.beginDelete('rg-full', { updateIntervalInMs: 20 });
    expect((await client.resourceGroups.get('rg-full')).properties?.provisioningState).toBe('Deleting');
    await poller.pollUntilDone();
    await expect(client.resources.getById(id, '2024-01-01')).rejects.toMatchObject({ statusCode: 404, code: 'ResourceGroupNotFound' });
    emu.control.setLatency('Microsoft.Resources/resourceGroups', null);
  });
});

describe('ARM front door', () => {
  const raw = (path: string, init: { method?: string; token?: string | null; body?: unknown } = {}) => fetchArm(emu, path, init);

  it('requires api-version and a valid bearer token', async () => {
    const missing = await raw(`/subscriptions/${emu.subscriptionId}/resourcegroups`);
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('MissingApiVersionParameter');
    const bad = await raw(`/subscriptions/${emu.subscriptionId}/resourcegroups?api-version=latest`);
    expect(bad.body.error.code).toBe('InvalidApiVersionParameter');
    const noAuth = await raw(`/subscriptions/${emu.subscriptionId}/resourcegroups?api-version=2025-04-01`, { token: null });
    expect([noAuth.status, noAuth.body.error.code]).toEqual([401, 'AuthenticationFailed']);
    const wrong = await raw(`/subscriptions/${emu.subscriptionId}/resourcegroups?api-version=2025-04-01`, { token: 'nope' });
    expect([wrong.status, wrong.body.error.code]).toEqual([401, 'InvalidAuthenticationToken']);
    expect(wrong.headers.get('x-ms-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers a child of a missing parent as Azure does', async () => {
    await client.resourceGroups.createOrUpdate('rg-child', { location: 'eastus' });
    const base =
      `/subscriptions/${emu.subscriptionId}/resourceGroups/rg-child/providers/Microsoft.DocumentDB/databaseAccounts/nope` +
      '/sqlDatabases/db?api-version=2025-10-15';
    const r = await raw(base, { method: 'PUT', body: { properties: { resource: { id: 'db' } } } });
    expect([r.status, r.body.error.code]).toEqual([404, 'ParentResourceNotFound']);
    const noRg = await raw(
      `/subscriptions/${emu.subscriptionId}/resourceGroups/nope/providers/Microsoft.Example/widgets/w?api-version=2024-01-01`,
      { method: 'PUT', body: { location: 'eastus' } },
    );
    expect([noRg.status, noRg.body.error.code]).toEqual([404, 'ResourceGroupNotFound']);
  });
});

/** What these tests read of an answer: the status, headers and, on failure, the ARM error code. */
interface ArmAnswer {
  status: number;
  body: { error: { code: string } };
  headers: Headers;
}

async function fetchArm(emu: Emulator, path: string, init: { method?: string; token?: string | null; body?: unknown } = {}) {
  const { request } = await import('node:https');
  return new Promise<ArmAnswer>((resolve, reject) => {
    const token = init.token === undefined ? emu.token : init.token;
    const req = request(
      `${emu.endpoint}${path}`,
      {
        method: init.method ?? 'GET',
        ca: emu.caCertPem,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined, headers });
        });
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    if (init.body !== undefined) req.write(JSON.stringify(init.body));
    req.end();
  });
}
