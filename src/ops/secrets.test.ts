import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../lib/clock.js';
import { listSecrets, rotateSecret } from './secrets.js';
import { startOpsCloud, type OpsTestCloud } from '../../testkit/ops-cloud.js';

import { SecretClient } from '@azure/keyvault-secrets';
import { dataPlaneAgent } from './azure-clients.js';
import { acceptedVersions, type VersionInfo } from '../../contracts/secret-versions.js';
import { required } from '../../lib/required.js';

let cloud: OpsTestCloud;
let kv: SecretClient;

/** Real time for the SDK; sleep advances a virtual offset so the overlap passes at once. */
class SkippingClock implements Clock {
  offset = 0;
  now = () => Date.now() + this.offset;
  sleep = async (ms: number) => {
    this.offset += ms;
  };
}

beforeAll(async () => {
  cloud = await startOpsCloud();
  const name = await cloud.createVault();
  const { vaultUrl } = await import('./azure-clients.js');
  kv = new SecretClient(await vaultUrl(cloud.target, cloud.rgName, name), cloud.emu.credential, { agent: dataPlaneAgent(cloud.target) });
  await kv.setSecret('internal-service-key', 'initial-internal-value', { contentType: 'text/plain; gpuarb internal key' });
  await kv.setSecret('inference-api-key', 'initial-backend-value');
});
afterAll(async () => cloud?.stop());

async function versions(name: string): Promise<VersionInfo[]> {
  const out: VersionInfo[] = [];
  for await (const p of kv.listPropertiesOfSecretVersions(name))
    out.push({
      version: required(p.version, 'the id of a secret version'),
      enabled: p.enabled !== false,
      createdOn: p.createdOn?.getTime() ?? null,
      expiresOn: p.expiresOn?.getTime() ?? null,
      tags: p.tags ?? {},
    });
  return out;
}

describe('secrets against the local cloud (real SecretClient)', () => {
  it('rotate: a new strong value; old and new both accepted during the overlap; never printed', async () => {
    const clock = new SkippingClock();
    const { ctx, stdout, stderr } = cloud.context({ clock });
    const progress: string[] = [];
    const r = await rotateSecret(ctx, 'internal-service-key', { onProgress: (m) => progress.push(m) });
    expect(r.previousVersion).toBeTruthy();
    expect(r.retired).toEqual([]);
    const current = await kv.getSecret('internal-service-key');
    expect(current.value).not.toBe('initial-internal-value');
    const value = required(current.value, 'the current secret value');
    expect(value.length).toBeGreaterThanOrEqual(43); // 256 bits, base64url
    expect(current.properties.contentType).toBe('text/plain; gpuarb internal key');
    const accepted = acceptedVersions(await versions('internal-service-key'), clock.now());
    expect(accepted.map((v) => v.version)).toEqual([r.version, r.previousVersion]);
    // The value is registered with the redactor, so no output can show it.
    ctx.io.info(`leak? ${current.value}`);
    expect(stderr.text).not.toContain(value);
    expect(stdout.text + progress.join('\n')).not.toContain(value);
  });

  it('refuses a second rotation inside the overlap, with a hint; --force overrides', async () => {
    const { ctx } = cloud.context();
    await expect(rotateSecret(ctx, 'internal-service-key')).rejects.toMatchObject({ code: 'RotationInProgress' });
  });

  it('after the overlap the old version is disabled (rotate --wait)', async () => {
    const clock = new SkippingClock();
    const { ctx } = cloud.context({ clock });
    const r = await rotateSecret(ctx, 'inference-api-key', { wait: true });
    expect(r.retired).toEqual([r.previousVersion]);
    expect(r.apimRefreshed).toBe(false); // no API Management in this stack: noted, not fatal
    const vs = await versions('inference-api-key');
    expect(vs.find((v) => v.version === r.previousVersion)?.enabled).toBe(false);
    expect(acceptedVersions(vs, clock.now()).map((v) => v.version)).toEqual([r.version]);
  });

  it('list shows names, versions and ages, never values', async () => {
    const { ctx } = cloud.context();
    const list = await listSecrets(ctx);
    expect(list.map((s) => s.name)).toEqual(['inference-api-key', 'internal-service-key']);
    const internal = required(
      list.find((s) => s.name === 'internal-service-key'),
      'the internal-service-key listing',
    );
    expect(internal).toMatchObject({ versions: 2, enabledVersions: 2 });
    expect(internal.rotationInProgress).not.toBeNull();
    expect(required(internal.current, 'the current version').ageSeconds).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(list)).not.toMatch(/initial-|value/);
  });

  it('refuses secrets it cannot rotate', async () => {
    const { ctx } = cloud.context();
    await expect(rotateSecret(ctx, 'vmss-ssh-private-key')).rejects.toMatchObject({ code: 'NotRotatable' });
  });
});
