// The registry document against a real Cosmos-protocol server (@vercel/cosmosdb-server over https
// with our own certificate): upserted, refreshed, removed on a clean stop, and an outage that
// neither stops serving nor goes unnoticed in the logs.
import { Agent as HttpsAgent } from 'node:https';
import { CosmosClient, type Container } from '@azure/cosmos';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RegistryDoc } from '../../contracts/registry.js';
import { startTestAgent } from '../../testkit/agent.js';
import { startLocalCosmos, type LocalCosmos } from '../../testkit/cosmos.js';
import { testCert, type TestCert } from '../../testkit/tls.js';
import { waitFor } from '../../testkit/wait.js';

let cert: TestCert;
const cleanups: (() => unknown)[] = [];
beforeAll(() => {
  cert = testCert();
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function registryContainer(cosmos: LocalCosmos): Container {
  const client = new CosmosClient({
    endpoint: cosmos.endpoint,
    key: 'local',
    agent: new HttpsAgent({ ca: cert.cert }),
    connectionPolicy: { enableEndpointDiscovery: false },
  });
  return client.database('gpuarb').container('registry');
}

async function readDoc(container: Container, id: string, pool: string): Promise<RegistryDoc | undefined> {
  const { resource } = await container.item(id, pool).read<RegistryDoc>();
  return resource;
}

const registryConfig = (endpoint: string) => ({
  endpoint,
  key: 'local-key',
  heartbeatMs: 150,
  createIfMissing: true,
  requestTimeoutMs: 1000,
});

describe('registry', () => {
  it('upserts the replica document, refreshes lastSeen, removes it on a clean stop', async () => {
    const cosmos = await startLocalCosmos(cert);
    cleanups.push(() => cosmos.close());
    const t = await startTestAgent({ registry: registryConfig(cosmos.endpoint), zone: '2', priority: 'Spot' }, { registryCa: cert.cert });
    cleanups.push(() => t.stop());
    const container = registryContainer(cosmos);
    const doc = await waitFor('the registry document', () => readDoc(container, 'test-vm-0', 'phi'));
    expect(doc).toMatchObject({
      id: 'test-vm-0',
      pool: 'phi',
      model: 'phi3-mini',
      address: t.url,
      state: 'ready',
      inFlight: 0,
      queue: 0,
      tokensPerSecond: 0,
      zone: '2',
      priority: 'Spot',
      engine: 'sim',
      simulated: true,
    });
    const firstSeen = doc.lastSeen;
    await waitFor('a heartbeat', async () => ((await readDoc(container, 'test-vm-0', 'phi'))?.lastSeen ?? 0) > firstSeen);
    await t.stop();
    await waitFor('the document removed', async () => (await readDoc(container, 'test-vm-0', 'phi')) === undefined);
  });

  it('keeps serving while Cosmos is down, says so, and reconnects when it is back', async () => {
    const first = await startLocalCosmos(cert);
    const port = first.port;
    await first.close(); // Cosmos is down before the agent even starts
    const t = await startTestAgent({ registry: registryConfig(`https://127.0.0.1:${port}`) }, { registryCa: cert.cert });
    cleanups.push(() => t.stop());
    await waitFor('the outage logged', () => t.lines.some((l) => l.msg?.toString().startsWith('registry unreachable')));
    const res = await fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: t.headers,
      body: JSON.stringify({ model: 'phi3-mini', messages: [{ role: 'user', content: 'still there?' }], max_tokens: 3 }),
    });
    expect(res.status).toBe(200);
    expect(t.lines.filter((l) => l.msg?.toString().startsWith('registry unreachable'))).toHaveLength(1); // once, not per beat
    const back = await startLocalCosmos(cert, port);
    cleanups.push(() => back.close());
    await waitFor('the reconnect logged', () => t.lines.some((l) => l.msg === 'registry reconnected'), 10_000);
    const doc = await waitFor('the document written after recovery', () => readDoc(registryContainer(back), 'test-vm-0', 'phi'), 10_000);
    expect(doc.state).toBe('ready');
  });
});
