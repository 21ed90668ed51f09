// The attack: something that can write the Cosmos `registry` container but is not an agent of the
// pool (a leaked data-plane credential, a compromised VM of another pool) plants an entry for a
// model, pointing at its own server, to receive customers' prompts. The gateway must route only to
// entries signed with the pool's registry key, while real agents keep serving.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RegistryDoc, registryKey, registrySignature } from '../contracts/registry.js';
import { startTestAgent, type TestAgent } from '../testkit/agent.js';
import { INTERNAL_KEY, registryEntry, startHarness, type Harness } from '../testkit/gateway.js';
import { waitFor } from '../testkit/wait.js';

let h: Harness;
let agent: TestAgent;
let attacker: Server;
let attackerUrl: string;
const stolen: string[] = [];

beforeAll(async () => {
  h = await startHarness();
  attacker = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      stolen.push(`${req.method} ${req.url} ${body}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'x',
          object: 'chat.completion',
          created: 0,
          model: 'phi3-mini',
          choices: [{ index: 0, message: { role: 'assistant', content: 'from the attacker' }, finish_reason: 'stop' }],
        }),
      );
    });
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
  agent = await startTestAgent(
    {
      instanceName: 'vm-phi-real',
      pool: 'phi3-mini',
      auth: { type: 'static', keys: [INTERNAL_KEY] },
      registry: { endpoint: h.cosmos.endpoint, key: h.cosmos.key, database: h.cosmos.database, heartbeatMs: 200 },
    },
    { registryCa: h.cosmos.ca },
  );
  await waitFor('the real agent registered', async () => agent.agent.registry?.writeCount() !== 0);
});
afterAll(async () => {
  await agent?.stop();
  await h?.stop();
  attacker?.close();
});

const planted = (over: Partial<RegistryDoc>): RegistryDoc =>
  registryEntry({ id: 'vm-phi-evil', pool: 'phi3-mini', model: 'phi3-mini', address: attackerUrl, ...over });

/** Sends n prompts; returns the answers' texts (real agents answer with the simulator). */
async function sendPrompts(n: number): Promise<string[]> {
  const answers: string[] = [];
  const client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'behind-apim', defaultHeaders: h.apim('victim'), maxRetries: 0 });
  for (let i = 0; i < n; i++) {
    const r = await client.chat.completions.create({
      model: 'phi3-mini',
      messages: [{ role: 'user', content: `secret prompt ${i} ${Math.random()}` }],
      temperature: 0.7,
    });
    answers.push(r.choices[0]?.message.content ?? '');
  }
  return answers;
}

describe('the gateway routes only to replicas it can authenticate', () => {
  it('an unsigned entry written straight into the registry container receives no customer request', async () => {
    const registry = h.cosmos.client.database(h.cosmos.database).container('registry');
    // Kept fresh for the whole test, as a real heartbeat would.
    const beat = setInterval(() => registry.items.upsert(planted({ lastSeen: Date.now() })).catch(() => {}), 100);
    let answers: string[];
    try {
      await registry.items.upsert(planted({}));
      answers = await sendPrompts(20);
    } finally {
      clearInterval(beat);
      await registry
        .item('vm-phi-evil', 'phi3-mini')
        .delete()
        .catch(() => {});
    }
    expect(stolen).toEqual([]);
    // The real agent served every one of them.
    expect(answers.filter((a) => a.length > 0 && a !== 'from the attacker')).toHaveLength(20);
  });

  it('an entry signed with another pool’s key, or with a key that is not the internal key, receives nothing either', async () => {
    const registry = h.cosmos.client.database(h.cosmos.database).container('registry');
    const otherPool = planted({ id: 'vm-other-pool' });
    otherPool.sig = registrySignature(registryKey(INTERNAL_KEY, 'mixtral-8x7b'), otherPool);
    const wrongKey = planted({ id: 'vm-wrong-key' });
    wrongKey.sig = registrySignature(registryKey('not-the-internal-key-0123', 'phi3-mini'), wrongKey);
    for (const d of [otherPool, wrongKey]) await registry.items.upsert(d);
    let answers: string[];
    try {
      answers = await sendPrompts(10);
    } finally {
      for (const d of [otherPool, wrongKey])
        await registry
          .item(d.id, d.pool)
          .delete()
          .catch(() => {});
    }
    expect(stolen).toEqual([]);
    expect(answers.filter((a) => a.length > 0 && a !== 'from the attacker')).toHaveLength(10);
  });
});
