import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { ResourceManagementClient } from '@azure/arm-resources';
import { KeyVaultManagementClient } from '@azure/arm-keyvault';
import { SecretClient } from '@azure/keyvault-secrets';
import type { TokenCredential } from '@azure/core-auth';
import { required } from '../../lib/required.js';
import { createLoopbackAgent } from '../dataplanes/index.js';
import { startEmulator, type Emulator } from '../index.js';
import { mintToken, principalFromToken } from './entra-tokens.js';
import { scopeCovers } from './data-rbac.js';

const ROLE = {
  owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  secretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7',
  secretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
};

let emu: Emulator;
let vaultId: string;
let vaultUri: string;
const rg = 'rg-rbac';

const roleDefinition = (id: string) => `/subscriptions/${emu.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${id}`;
async function grant(scope: string, role: string, principalId = emu.operatorObjectId): Promise<void> {
  const auth = new AuthorizationManagementClient(emu.credential, emu.subscriptionId, emu.clientOptions());
  await auth.roleAssignments.create(scope, randomUUID(), { roleDefinitionId: roleDefinition(role), principalId, principalType: 'User' });
}
const secrets = (credential: TokenCredential = emu.credential) =>
  new SecretClient(vaultUri, credential, { agent: createLoopbackAgent(emu.caCertPem), retryOptions: { maxRetries: 0 } });

async function rawRequest(method: string, url: string, body: unknown): Promise<{ status: number; text: string }> {
  const https = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method,
        agent: createLoopbackAgent(emu.caCertPem),
        headers: { authorization: `Bearer ${emu.token}`, 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

async function createVault(name: string): Promise<{ id: string; uri: string }> {
  const kv = new KeyVaultManagementClient(emu.credential, emu.subscriptionId, emu.clientOptions());
  const vault = await kv.vaults.createOrUpdate(
    rg,
    name,
    {
      location: 'eastus',
      properties: {
        tenantId: '72f988bf-0000-4000-a000-00000000cafe',
        sku: { family: 'A', name: 'standard' },
        enableRbacAuthorization: true,
      },
    },
    { updateIntervalInMs: 1 },
  );
  return { id: required(vault.id, 'the vault id'), uri: required(vault.properties.vaultUri, 'the vault URI') };
}

beforeAll(async () => {
  emu = await startEmulator();
  await new ResourceManagementClient(emu.credential, emu.subscriptionId, emu.clientOptions()).resourceGroups.createOrUpdate(rg, {
    location: 'eastus',
  });
  ({ id: vaultId, uri: vaultUri } = await createVault('gpuarb-kv-rbac'));
});
afterAll(async () => emu?.stop());

describe('operator token', () => {
  it('is an Entra-shaped JWT whose oid is the operator, and an edited oid is refused', () => {
    const [, payload] = emu.token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    expect(claims).toMatchObject({ oid: emu.operatorObjectId, idtyp: 'user' });
    expect(claims.iss).toMatch(/^https:\/\/sts\.windows\.net\//);
    const forged = [
      emu.token.split('.')[0],
      Buffer.from(JSON.stringify({ ...claims, oid: randomUUID() })).toString('base64url'),
      emu.token.split('.')[2],
    ];
    const key = Buffer.from('not-the-key');
    expect(principalFromToken(forged.join('.'), key)).toBeUndefined();
    const own = mintToken(key, { oid: 'x', kind: 'ServicePrincipal', aud: 'a', lifetimeSeconds: 60 });
    expect(principalFromToken(own, key)).toEqual({ oid: 'x', kind: 'ServicePrincipal' });
  });

  it('scopes cover their children only at a segment boundary', () => {
    expect(scopeCovers('/subscriptions/s/resourceGroups/rg', '/subscriptions/s/resourceGroups/rg/providers/x/y/z')).toBe(true);
    expect(scopeCovers('/subscriptions/s/resourceGroups/rg', '/subscriptions/s/resourceGroups/rg2/providers/x/y/z')).toBe(false);
  });
});

describe('Key Vault data-plane RBAC (enableRbacAuthorization)', () => {
  it('refuses an Owner of the subscription with 403 Forbidden / ForbiddenByRbac: control plane is not data plane', async () => {
    await grant(`/subscriptions/${emu.subscriptionId}`, ROLE.owner);
    await grant(vaultId, ROLE.contributor);
    const err = await secrets()
      .setSecret('inference-api-key', 'v1')
      .catch((e) => e);
    expect(err).toMatchObject({ statusCode: 403, code: 'Forbidden' });
    const raw = await rawRequest('PUT', `${vaultUri}secrets/inference-api-key?api-version=7.6`, { value: 'v1' });
    expect(raw.status).toBe(403);
    expect(JSON.parse(raw.text).error).toMatchObject({ code: 'Forbidden', innererror: { code: 'ForbiddenByRbac' } });
    expect(err.message).toContain("Action: 'Microsoft.KeyVault/vaults/secrets/setSecret/action'");
  });

  it('Key Vault Secrets Officer on the resource group lets the operator write and read', async () => {
    await grant(`/subscriptions/${emu.subscriptionId}/resourceGroups/${rg}`, ROLE.secretsOfficer);
    await secrets().setSecret('inference-api-key', 'v1');
    expect((await secrets().getSecret('inference-api-key')).value).toBe('v1');
  });

  it('Key Vault Secrets User on one secret reads that secret only, and never writes', async () => {
    const other = emu.core.rng.uuid();
    // Created through ARM, as `up` does: a role assignment's scope must exist in ARM.
    const kv = new KeyVaultManagementClient(emu.credential, emu.subscriptionId, emu.clientOptions());
    await kv.secrets.createOrUpdate(rg, 'gpuarb-kv-rbac', 'inference-api-key', { properties: { value: 'v1' } });
    await secrets().setSecret('internal-service-key', 'i1');
    await grant(`${vaultId}/secrets/inference-api-key`, ROLE.secretsUser, other);
    const signingKey = Buffer.from((await import('node:fs')).readFileSync(`${emu.stateDir}/token-signing-key`, 'utf8').trim(), 'base64url');
    const token = mintToken(signingKey, { oid: other, kind: 'ServicePrincipal', aud: 'https://vault.azure.net', lifetimeSeconds: 600 });
    const identity: TokenCredential = { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 600_000 }) };
    expect((await secrets(identity).getSecret('inference-api-key')).value).toBe('v1');
    await expect(secrets(identity).getSecret('internal-service-key')).rejects.toMatchObject({ statusCode: 403, code: 'Forbidden' });
    await expect(secrets(identity).setSecret('inference-api-key', 'v2')).rejects.toMatchObject({ statusCode: 403 });
  });

  it('a token the local cloud did not issue gets 401', async () => {
    const bogus: TokenCredential = { getToken: async () => ({ token: 'a.b.c', expiresOnTimestamp: Date.now() + 60_000 }) };
    await expect(secrets(bogus).getSecret('inference-api-key')).rejects.toMatchObject({ statusCode: 401 });
  });
});

describe('role propagation', () => {
  it('a new assignment takes effect only after the configured delay', async () => {
    const delayed = await startEmulator({ rbacPropagationMs: 400 });
    try {
      await new ResourceManagementClient(delayed.credential, delayed.subscriptionId, delayed.clientOptions()).resourceGroups.createOrUpdate(
        rg,
        { location: 'eastus' },
      );
      const kv = new KeyVaultManagementClient(delayed.credential, delayed.subscriptionId, delayed.clientOptions());
      const vault = await kv.vaults.createOrUpdate(
        rg,
        'gpuarb-kv-prop',
        {
          location: 'eastus',
          properties: {
            tenantId: '72f988bf-0000-4000-a000-00000000cafe',
            sku: { family: 'A', name: 'standard' },
            enableRbacAuthorization: true,
          },
        },
        { updateIntervalInMs: 1 },
      );
      const auth = new AuthorizationManagementClient(delayed.credential, delayed.subscriptionId, delayed.clientOptions());
      await auth.roleAssignments.create(required(vault.id, 'id'), randomUUID(), {
        roleDefinitionId: `/subscriptions/${delayed.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${ROLE.secretsOfficer}`,
        principalId: delayed.operatorObjectId,
      });
      const client = new SecretClient(required(vault.properties.vaultUri, 'uri'), delayed.credential, {
        agent: createLoopbackAgent(delayed.caCertPem),
        retryOptions: { maxRetries: 0 },
      });
      const started = Date.now();
      await expect(client.setSecret('s', 'v')).rejects.toMatchObject({ statusCode: 403 });
      let attempts = 0;
      for (;;) {
        attempts++;
        const ok = await client.setSecret('s', 'v').then(
          () => true,
          (e) => (e.statusCode === 403 ? false : Promise.reject(e)),
        );
        if (ok) break;
        if (Date.now() - started > 5_000) throw new Error('the assignment never took effect');
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
      expect(attempts).toBeGreaterThan(1);
    } finally {
      await delayed.stop();
    }
  });
});
