// `gpuarb secrets rotate` really revokes: once the overlap is over, the previous internal service
// key fails at the agents, both through the Key Vault source an agent on Azure polls and through
// the key file the local cloud mirrors for its agents, without anyone disabling the version.
import { existsSync, readFileSync } from 'node:fs';
import { SecretClient } from '@azure/keyvault-secrets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAuthorized, KeyVaultKeySource } from '../../fleet-agent/auth/key-source.js';
import { keyVaultSecret, matchesAny } from '../../gateway/secrets.js';
import { memoryLogger } from '../../fleet-agent/log.js';
import { dataPlaneAgent, vaultUrl } from '../../src/ops/azure-clients.js';
import { rotateSecret } from '../../src/ops/secrets.js';
import { startTestAgent, type TestAgent } from '../../testkit/agent.js';
import { startOpsCloud, type OpsTestCloud } from '../../testkit/ops-cloud.js';
import { waitFor } from '../../testkit/wait.js';

const SECRET = 'internal-service-key';
const OLD = 'internal-key-before-rotation-0123456789';
const OVERLAP_SECONDS = 2;

let cloud: OpsTestCloud;
let kv: SecretClient;
let url: string;
let agent: TestAgent;
let fromVault: KeyVaultKeySource;

beforeAll(async () => {
  cloud = await startOpsCloud(undefined, { platform: true });
  url = await vaultUrl(cloud.target, cloud.rgName, await cloud.createVault());
  kv = new SecretClient(url, cloud.emu.credential, { agent: dataPlaneAgent(cloud.target) });
  await kv.setSecret(SECRET, OLD);
  const keyFile = cloud.emu.platform?.keysFile(SECRET) ?? '';
  await waitFor('the local key file', () => existsSync(keyFile) && readFileSync(keyFile, 'utf8').includes(OLD));
  agent = await startTestAgent({ auth: { type: 'file', path: keyFile, pollMs: 100 } });
  fromVault = new KeyVaultKeySource({ vaultUrl: url, secretName: SECRET, pollMs: 1000 }, memoryLogger('error').logger, {
    credential: cloud.emu.credential,
    clientOptions: { agent: dataPlaneAgent(cloud.target) },
  });
  await fromVault.start();
}, 60_000);
afterAll(async () => {
  fromVault?.stop();
  await agent?.stop();
  await cloud?.stop();
});

const status = async (key: string) => (await fetch(`${agent.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status;

describe('rotation of the internal service key', () => {
  it('accepts both keys during the overlap, and only the new one after it, at every agent', async () => {
    const { ctx } = cloud.context();
    await rotateSecret(ctx, SECRET, { overlapSeconds: OVERLAP_SECONDS });
    const fresh = (await kv.getSecret(SECRET)).value ?? '';
    expect(fresh).not.toBe(OLD);
    await waitFor('the new key at the agent', async () => (await status(fresh)) === 200);
    expect(await status(OLD)).toBe(200);

    // After the overlap (plus the local cloud's 1 s key sync and the sources' polls), the old key
    // is refused, though the version is still enabled in Key Vault: nobody ran `rotate --wait`.
    await waitFor('the old key refused by the file-fed agent', async () => (await status(OLD)) === 401, (OVERLAP_SECONDS + 5) * 1000, 100);
    expect(await status(fresh)).toBe(200);
    await waitFor('the old key refused by the Key Vault source', () => !isAuthorized(`Bearer ${OLD}`, fromVault), 3000, 50);
    expect(isAuthorized(`Bearer ${fresh}`, fromVault)).toBe(true);
    const old = [];
    for await (const p of kv.listPropertiesOfSecretVersions(SECRET)) if (p.enabled) old.push(p.version);
    expect(old).toHaveLength(2); // both versions still enabled: expiry alone revoked the old one
  });

  it("the gateway's Key Vault source refuses an expired backend-key version at its expiry, between refreshes", async () => {
    const BACKEND = 'inference-api-key';
    const OLD_BACKEND = 'backend-key-before-rotation-0123456789';
    await kv.setSecret(BACKEND, OLD_BACKEND);
    const { ctx } = cloud.context();
    // Key Vault keeps expiresOn to the second: 4 s leaves at least 3 for the read below.
    const overlapSeconds = 4;
    await rotateSecret(ctx, BACKEND, { overlapSeconds });
    const fresh = (await kv.getSecret(BACKEND)).value ?? '';
    // Read once during the overlap and never refreshed again (an hour between refreshes): the
    // expiry the source kept with the old value is what must end it.
    const gateway = keyVaultSecret(url, BACKEND, 3600, {
      credential: cloud.emu.credential,
      clientOptions: { agent: dataPlaneAgent(cloud.target) },
    });
    const during = await gateway.values();
    expect(matchesAny(fresh, during)).toBe(true);
    expect(matchesAny(OLD_BACKEND, during)).toBe(true);
    await waitFor(
      'the old backend key refused by the gateway',
      async () => !matchesAny(OLD_BACKEND, await gateway.values()),
      (overlapSeconds + 3) * 1000,
      50,
    );
    expect(matchesAny(fresh, await gateway.values())).toBe(true);
  });
});
