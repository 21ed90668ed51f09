// --rotate-secret-at against the local cloud's Key Vault, through the operators' rotation
// (src/ops/secrets.ts): the preflight, the rotation as a chaos event during a load run, and the
// refusal to rotate again inside the overlap.
import { performance } from 'node:perf_hooks';
import { SecretClient } from '@azure/keyvault-secrets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataPlaneAgent, vaultUrl } from '../ops/azure-clients.js';
import { startOpsCloud, type OpsTestCloud } from '../../testkit/ops-cloud.js';
import { builtinWorkload } from './builtin-workload.js';
import { startChaos } from './chaos.js';
import { createSender } from './http-client.js';
import { Recorder } from './recorder.js';
import { buildReport } from './report.js';
import { createRng } from './rng.js';
import { startLoad } from './runner.js';
import { ROTATED_SECRET, secretRotator } from './secret-rotation.js';
import { startOpenAiPeer } from '../../testkit/openai-peer.js';
import type { ChaosEvent } from './types.js';

let cloud: OpsTestCloud;
let kv: SecretClient;

beforeAll(async () => {
  cloud = await startOpsCloud();
  const name = await cloud.createVault();
  kv = new SecretClient(await vaultUrl(cloud.target, cloud.rgName, name), cloud.emu.credential, { agent: dataPlaneAgent(cloud.target) });
});
afterAll(async () => cloud?.stop());

describe('--rotate-secret-at', () => {
  it('refuses before any load when the secret does not exist', async () => {
    const { ctx } = cloud.context();
    await expect(secretRotator(ctx)).rejects.toMatchObject({ code: 'SecretMissing' });
  });

  it('rotates during a load run and records the event with the figures around it', async () => {
    await kv.setSecret(ROTATED_SECRET, 'initial-backend-value');
    const { ctx } = cloud.context();
    const rotator = await secretRotator(ctx);
    const peer = await startOpenAiPeer({ key: 'k' });
    try {
      const t0 = performance.now();
      const now = () => performance.now() - t0;
      const sender = createSender({ baseUrl: peer.baseUrl, key: 'k' }, { timeoutMs: 5000, maxSockets: 16, now });
      const recorder = new Recorder();
      const events: ChaosEvent[] = [];
      const arrival = { kind: 'open', rate: 20 } as const;
      const load = startLoad({
        arrival,
        durationMs: 1500,
        workload: builtinWorkload({ mix: [['phi3-mini', 1]], repeatShare: 0, seed: 1, stream: false }),
        sender,
        recorder,
        rng: createRng(1),
        now,
        signal: new AbortController().signal,
      });
      const chaos = startChaos({ plan: { rotateSecretAtSec: 0.5 }, durationMs: 1500, now, rotator, onEvent: (e) => events.push(e) });
      await load.done;
      await chaos.stop();
      sender.close();
      const r = buildReport({
        target: peer.baseUrl,
        arrival,
        durationSec: 1.5,
        workload: 'test',
        stream: false,
        seed: 1,
        recorder,
        events,
        objectives: null,
      });
      expect(r.events).toHaveLength(1);
      expect(r.events[0]).toMatchObject({ kind: 'rotate-secret', ok: true });
      expect(r.events[0].detail).toMatch(/^inference-api-key: new version \S+, previous accepted until \d{4}-/);
      expect(r.events[0].atSec).toBeGreaterThanOrEqual(0.5);
    } finally {
      await peer.close();
    }
    expect((await kv.getSecret(ROTATED_SECRET)).value).not.toBe('initial-backend-value');
  });

  it('refuses before any load while the last rotation is still in its overlap', async () => {
    const { ctx } = cloud.context();
    await expect(secretRotator(ctx)).rejects.toMatchObject({ code: 'RotationInProgress' });
  });
});
