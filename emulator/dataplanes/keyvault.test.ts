import type { Agent } from 'node:https';
import { SecretClient } from '@azure/keyvault-secrets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { required } from '../../lib/required.js';
import type { AccessRequest, VaultInfo } from './deps.js';
import { createKeyVaultDataPlane, type KeyVaultDataPlane } from './keyvault.js';
import { testCert, type TestCert } from '../../testkit/tls.js';
import { seededRandom, staticCredential, TEST_TOKEN } from '../../testkit/fakes.js';
import { FakeClock } from '../../testkit/fake-clock.js';
import { startTestServer, type TestServer } from '../../testkit/dataplane-server.js';
import { createLoopbackAgent, vaultUri } from './vault-host.js';

const vaults: Record<string, VaultInfo> = {
  kv1: {
    resourceId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1',
    location: 'eastus',
    softDeleted: false,
    purgeProtection: true,
    softDeleteRetentionInDays: 90,
  },
  kvpurge: {
    resourceId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kvpurge',
    location: 'eastus',
    softDeleted: false,
    purgeProtection: false,
    softDeleteRetentionInDays: 7,
  },
  kvreader: {
    resourceId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kvreader',
    location: 'eastus',
    softDeleted: false,
    purgeProtection: true,
    softDeleteRetentionInDays: 90,
  },
};

let tls: TestCert;
let server: TestServer;
let agent: Agent;
let plane: KeyVaultDataPlane;
const clock = new FakeClock(Date.parse('2025-01-01T00:00:00Z'));
const asked: AccessRequest[] = [];

beforeAll(async () => {
  tls = testCert();
  plane = createKeyVaultDataPlane({
    now: clock.now,
    random: seededRandom(7),
    tenantId: '72f988bf-0000-0000-0000-000000000000',
    lookupVault: (name) => vaults[name.toLowerCase()],
    authorize: (req) => {
      asked.push(req);
      if (req.token !== TEST_TOKEN) return 'unauthenticated';
      // kvreader: the caller holds only "Key Vault Secrets User" (read, no write).
      if (req.resourceId?.endsWith('/kvreader') && !/getSecret|readMetadata/.test(req.dataAction)) return 'forbidden';
      return 'allowed';
    },
  });
  server = await startTestServer(tls, [plane]);
  agent = createLoopbackAgent(tls.ca);
});

afterAll(async () => {
  agent?.destroy();
  await server?.close();
});

function client(vault: string, credential = staticCredential()): SecretClient {
  return new SecretClient(vaultUri(vault, server.port), credential, { agent, retryOptions: { maxRetries: 0 } });
}

describe('Key Vault secrets data plane with the real SecretClient', () => {
  it('answers the challenge handshake and asks for the vault resource scope', async () => {
    const credential = staticCredential();
    const secret = await client('kv1', credential).setSecret('inference-api-key', 'v1-value');
    expect(credential.scopes).toEqual(['https://vault.localhost/.default']);
    expect(secret.value).toBe('v1-value');
    expect(secret.name).toBe('inference-api-key');
    expect(secret.properties.vaultUrl).toBe(`https://kv1.vault.localhost:${server.port}`);
    expect(secret.properties.version).toMatch(/^[0-9a-f]{32}$/);
    expect(secret.properties.id).toBe(`https://kv1.vault.localhost:${server.port}/secrets/inference-api-key/${secret.properties.version}`);
    expect(secret.properties.createdOn?.toISOString()).toBe('2025-01-01T00:00:00.000Z');
    expect(secret.properties.recoveryLevel).toBe('Recoverable');
    expect(secret.properties.recoverableDays).toBe(90);
    expect(
      asked.some((a) => a.dataAction === 'Microsoft.KeyVault/vaults/secrets/setSecret/action' && a.audience === 'https://vault.localhost'),
    ).toBe(true);
  });

  it('keeps versions: get latest, get by version, list versions, list secrets', async () => {
    const kv = client('kv1');
    const first = await kv.setSecret('rotating', 'one', { contentType: 'text/plain', tags: { owner: 'gpuarb' } });
    await clock.advance(1000);
    const second = await kv.setSecret('rotating', 'two');
    expect((await kv.getSecret('rotating')).value).toBe('two');
    expect((await kv.getSecret('rotating', { version: first.properties.version })).value).toBe('one');
    const versions: string[] = [];
    for await (const p of kv.listPropertiesOfSecretVersions('rotating')) versions.push(p.version ?? '');
    expect(versions.sort()).toEqual([first.properties.version, second.properties.version].sort());
    const names: string[] = [];
    for await (const p of kv.listPropertiesOfSecrets()) names.push(p.name);
    expect(names).toEqual(expect.arrayContaining(['inference-api-key', 'rotating']));
  });

  it('pages lists with maxresults and nextLink', async () => {
    const kv = client('kv1');
    for (let i = 0; i < 5; i++) await kv.setSecret(`paged-${i}`, `value-${i}`);
    const pages: number[] = [];
    for await (const page of kv.listPropertiesOfSecrets().byPage({ maxPageSize: 2 })) pages.push(page.length);
    expect(pages.length).toBeGreaterThan(2);
    expect(pages.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(5);
  });

  it('updates properties and refuses to return a disabled secret', async () => {
    const kv = client('kv1');
    const s = await kv.setSecret('toggle', 'x');
    const updated = await kv.updateSecretProperties('toggle', required(s.properties.version, 'the new secret version'), {
      enabled: false,
      tags: { a: 'b' },
    });
    expect(updated.enabled).toBe(false);
    expect(updated.tags).toEqual({ a: 'b' });
    await expect(kv.getSecret('toggle')).rejects.toMatchObject({ statusCode: 403, code: 'Forbidden' });
  });

  it('answers SecretNotFound for a missing secret or version', async () => {
    const kv = client('kv1');
    await expect(kv.getSecret('nope')).rejects.toMatchObject({ statusCode: 404, code: 'SecretNotFound' });
    await expect(kv.getSecret('rotating', { version: '0'.repeat(32) })).rejects.toMatchObject({ statusCode: 404, code: 'SecretNotFound' });
  });

  it('soft-deletes: deleted list, get deleted, name taken (Conflict), recover', async () => {
    const kv = client('kv1');
    await kv.setSecret('to-delete', 'keep-me');
    const poller = await kv.beginDeleteSecret('to-delete');
    const deleted = await poller.pollUntilDone();
    expect(deleted.recoveryId).toBe(`https://kv1.vault.localhost:${server.port}/deletedsecrets/to-delete`);
    const purgeAt = required(deleted.scheduledPurgeDate, 'scheduledPurgeDate');
    const deletedOn = required(deleted.deletedOn, 'deletedOn');
    expect(purgeAt.getTime() - deletedOn.getTime()).toBe(90 * 86_400_000);
    const listed: string[] = [];
    for await (const d of kv.listDeletedSecrets()) listed.push(d.name);
    expect(listed).toContain('to-delete');
    expect((await kv.getDeletedSecret('to-delete')).name).toBe('to-delete');
    await expect(kv.getSecret('to-delete')).rejects.toMatchObject({ statusCode: 404 });
    await expect(kv.setSecret('to-delete', 'again')).rejects.toMatchObject({ statusCode: 409, code: 'Conflict' });
    await (await kv.beginRecoverDeletedSecret('to-delete')).pollUntilDone();
    expect((await kv.getSecret('to-delete')).value).toBe('keep-me');
  });

  it('refuses purge under purge protection and purges without it', async () => {
    const kv = client('kv1');
    await kv.setSecret('protected', 'p');
    await (await kv.beginDeleteSecret('protected')).pollUntilDone();
    await expect(kv.purgeDeletedSecret('protected')).rejects.toMatchObject({ statusCode: 403, code: 'Forbidden' });

    const loose = client('kvpurge');
    const s = await loose.setSecret('temp', 't');
    expect(s.properties.recoveryLevel).toBe('CustomizedRecoverable+Purgeable');
    await (await loose.beginDeleteSecret('temp')).pollUntilDone();
    await loose.purgeDeletedSecret('temp');
    await expect(loose.getDeletedSecret('temp')).rejects.toMatchObject({ statusCode: 404 });
    await loose.setSecret('temp', 'reused');
  });

  it('drops deleted secrets once their retention has run out', async () => {
    const loose = client('kvpurge');
    await loose.setSecret('expiring', 'e');
    await (await loose.beginDeleteSecret('expiring')).pollUntilDone();
    await clock.advance(7 * 86_400_000);
    await expect(loose.getDeletedSecret('expiring')).rejects.toMatchObject({ statusCode: 404 });
  });

  it('answers 403 Forbidden (ForbiddenByRbac) when the caller lacks the data action', async () => {
    await expect(client('kvreader').setSecret('x', 'y')).rejects.toMatchObject({ statusCode: 403, code: 'Forbidden' });
  });

  it('answers 401 with a challenge to a bad token, and 404 for an unknown vault', async () => {
    await expect(client('kv1', staticCredential('wrong')).getSecret('rotating')).rejects.toMatchObject({ statusCode: 401 });
    await expect(client('ghost').getSecret('x')).rejects.toMatchObject({ statusCode: 404, code: 'VaultNotFound' });
  });

  it('exports and imports its state (daemon restart)', async () => {
    const state = plane.exportState();
    const again = createKeyVaultDataPlane({
      now: clock.now,
      random: seededRandom(1),
      tenantId: 't',
      lookupVault: (n) => vaults[n],
      authorize: () => 'allowed',
    });
    again.importState(state);
    expect(again.exportState()).toEqual(state);
  });
});
