import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResourceManagementClient } from '@azure/arm-resources';
import { KeyVaultManagementClient } from '@azure/arm-keyvault';
import { SecretClient } from '@azure/keyvault-secrets';
import { required } from '../../lib/required.js';
import { createLoopbackAgent } from '../dataplanes/index.js';
import { startEmulator, type Emulator } from '../index.js';
import { BUILT_IN_ROLE, grantRole } from '../../testkit/rbac.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => emu?.stop());

describe('data planes mounted on the ARM port', () => {
  it('a vault created through ARM serves secrets at its vaultUri', async () => {
    await new ResourceManagementClient(emu.credential, emu.subscriptionId, emu.clientOptions()).resourceGroups.createOrUpdate('rg-kv', {
      location: 'eastus',
    });
    const kv = new KeyVaultManagementClient(emu.credential, emu.subscriptionId, emu.clientOptions());
    const vault = await kv.vaults.createOrUpdate(
      'rg-kv',
      'gpuarb-kv-dp',
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
    // An RBAC vault: the operator needs a data role, as on Azure.
    await grantRole(emu, String(vault.id), BUILT_IN_ROLE.keyVaultSecretsOfficer);
    const secrets = new SecretClient(required(vault.properties.vaultUri, 'the vault URI'), emu.credential, {
      agent: createLoopbackAgent(emu.caCertPem),
      retryOptions: { maxRetries: 0 },
    });
    await secrets.setSecret('inference-api-key', 'v1');
    expect((await secrets.getSecret('inference-api-key')).value).toBe('v1');
  });
});
