// Everything the local cloud writes that holds a secret (its ARM + Key Vault state, the key files
// it mirrors for the agent and gateway processes) is owner-only: 0600 files in 0700 directories,
// on every write, whatever the files' or directories' modes were before.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResourceManagementClient } from '@azure/arm-resources';
import { KeyVaultManagementClient } from '@azure/arm-keyvault';
import { SecretClient } from '@azure/keyvault-secrets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLoopbackAgent } from '../dataplanes/index.js';
import { startEmulator, type Emulator } from '../index.js';
import { waitFor } from '../../testkit/wait.js';
import { BUILT_IN_ROLE, grantRole } from '../../testkit/rbac.js';

const mode = (p: string) => statSync(p).mode & 0o777;
let emu: Emulator;
let stateDir: string;

beforeAll(async () => {
  stateDir = join(mkdtempSync(join(tmpdir(), 'gpuarb-private-')), 'local');
  mkdirSync(stateDir, { mode: 0o755 });
  chmodSync(stateDir, 0o755); // as `mkdir` under the usual umask leaves it: readable by all
  emu = await startEmulator({ port: 0, stateDir, platform: true });
});
afterAll(async () => emu?.stop());

describe('the local cloud on disk', () => {
  it('keeps its state file, key files and their directories owner-only, on every write', async () => {
    await new ResourceManagementClient(emu.credential, emu.subscriptionId, emu.clientOptions()).resourceGroups.createOrUpdate('rg-p', {
      location: 'eastus',
    });
    const vault = await new KeyVaultManagementClient(emu.credential, emu.subscriptionId, emu.clientOptions()).vaults.createOrUpdate(
      'rg-p',
      'gpuarb-kv-private',
      {
        location: 'eastus',
        properties: {
          tenantId: '72f988bf-0000-4000-a000-00000000cafe',
          sku: { family: 'A', name: 'standard' },
          enableRbacAuthorization: true,
        },
      } as never,
      { updateIntervalInMs: 1 },
    );
    // An RBAC vault: the operator needs a data role, as on Azure.
    await grantRole(emu, String(vault.id), BUILT_IN_ROLE.keyVaultSecretsOfficer);
    const secrets = new SecretClient(String(vault.properties.vaultUri), emu.credential, { agent: createLoopbackAgent(emu.caCertPem) });
    await secrets.setSecret('internal-service-key', 'internal-secret-value');
    await secrets.setSecret('inference-api-key', 'backend-secret-value');
    emu.store.flush();

    const stateFile = join(stateDir, 'state.json');
    const keyFile = join(stateDir, 'runtime', 'keys', 'internal-service-key.txt');
    await waitFor('the key file', () => existsSync(keyFile));
    expect(readFileSync(stateFile, 'utf8')).toContain('internal-secret-value');
    expect(mode(stateDir)).toBe(0o700);
    expect(mode(stateFile)).toBe(0o600);
    expect(mode(join(stateDir, 'runtime'))).toBe(0o700);
    expect(mode(join(stateDir, 'runtime', 'keys'))).toBe(0o700);
    expect(mode(keyFile)).toBe(0o600);

    // A state file left world-readable (by an older version, or a copy) is fixed by the next write.
    chmodSync(stateFile, 0o644);
    await secrets.setSecret('inference-api-key', 'backend-secret-value-2');
    emu.store.flush();
    expect(mode(stateFile)).toBe(0o600);
  });
});
