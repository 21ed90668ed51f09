// The attack of a shell on one GPU VM: it holds everything its agent holds (the internal service
// key and its own pool's registry secret) and can write the registry container. It plants (1) an
// entry for another pool, pointing at a server on its own VM, to receive that pool's prompts, and
// (2) an entry for its own pool pointing at a server outside the GPU subnet, signed with its own
// pool's secret, so prompts keep flowing there. With per-pool registry secrets and the GPU
// subnet as the allowed network, the gateway routes neither, while real agents of both pools
// serve. Locally the "subnet" is 127.0.0.1/32 and "outside" is 127.0.0.2.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RegistryDoc, registryKey, registrySignature } from '../contracts/registry.js';
import { startTestAgent, type TestAgent } from '../testkit/agent.js';
import { BACKEND_SECRET, INTERNAL_KEY, registryEntry, startHarness, type Harness } from '../testkit/gateway.js';
import { waitFor } from '../testkit/wait.js';

const PHI_SECRET = 'registry-secret-of-pool-phi-0123456789';
const MIXTRAL_SECRET = 'registry-secret-of-pool-mixtral-012345';

let h: Harness;
const agents: TestAgent[] = [];
const attackers: Server[] = [];
const stolen: string[] = [];

async function attackerServer(host: string): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      stolen.push(`${host} ${req.url} ${body}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'x',
          object: 'chat.completion',
          created: 0,
          model: 'any',
          choices: [{ index: 0, message: { role: 'assistant', content: 'from the attacker' }, finish_reason: 'stop' }],
        }),
      );
    });
  });
  attackers.push(server);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return `http://${host}:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  h = await startHarness({
    config: {
      secrets: {
        backend: { kind: 'static', current: BACKEND_SECRET },
        internalServiceKey: { kind: 'static', current: INTERNAL_KEY },
        registryKeys: {
          'phi3-mini': { kind: 'static', current: PHI_SECRET },
          'mixtral-8x7b': { kind: 'static', current: MIXTRAL_SECRET },
        },
      },
      registry: { cacheMs: 0, allowedNetworks: ['127.0.0.1/32'] },
    },
  });
  for (const [pool, secret] of [
    ['phi3-mini', PHI_SECRET],
    ['mixtral-8x7b', MIXTRAL_SECRET],
  ] as const) {
    const agent = await startTestAgent(
      {
        instanceName: `vm-${pool}-0`,
        pool,
        engine: { type: 'sim', model: pool, gpu: 'none' },
        auth: { type: 'static', keys: [INTERNAL_KEY] },
        registry: {
          endpoint: h.cosmos.endpoint,
          key: h.cosmos.key,
          database: h.cosmos.database,
          heartbeatMs: 200,
          signingKey: { type: 'static', keys: [secret] },
        },
      },
      { registryCa: h.cosmos.ca },
    );
    agents.push(agent);
    await waitFor(`the ${pool} agent registered`, async () => agent.agent.registry?.writeCount() !== 0);
  }
}, 60_000);
afterAll(async () => {
  for (const a of agents) await a.stop();
  await h?.stop();
  for (const s of attackers) s.close();
});

/** Sends n prompts for `model`; returns the answers' texts. */
async function sendPrompts(model: string, n: number): Promise<string[]> {
  const client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'behind-apim', defaultHeaders: h.apim('victim'), maxRetries: 0 });
  const answers: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: `secret prompt ${i} ${Math.random()}` }],
      temperature: 0.7,
    });
    answers.push(r.choices[0]?.message.content ?? '');
  }
  return answers;
}

/** Keeps `docs` fresh in the registry while `during` runs, as the attacker's heartbeat would. */
async function planted<T>(docs: RegistryDoc[], during: () => Promise<T>): Promise<T> {
  const registry = h.cosmos.client.database(h.cosmos.database).container('registry');
  const sign = () =>
    Promise.all(
      docs.map((d) => {
        d.lastSeen = Date.now();
        // Everything the shell holds, whichever scheme the gateway uses: its pool's secret…
        d.sig = registrySignature(registryKey(PHI_SECRET, d.pool), d);
        return registry.items.upsert(d);
      }),
    );
  const signWithInternalKey = (d: RegistryDoc) => {
    // …or the internal key every agent holds (the key the registry was signed with before).
    const copy = { ...d, id: `${d.id}-ik`, lastSeen: Date.now() };
    copy.sig = registrySignature(registryKey(INTERNAL_KEY, d.pool), copy);
    return registry.items.upsert(copy);
  };
  const beat = async () => {
    await sign();
    await Promise.all(docs.map(signWithInternalKey));
  };
  await beat();
  const timer = setInterval(() => void beat().catch(() => {}), 100);
  try {
    return await during();
  } finally {
    clearInterval(timer);
    for (const d of docs)
      for (const id of [d.id, `${d.id}-ik`])
        await registry
          .item(id, d.pool)
          .delete()
          .catch(() => {});
  }
}

const real = (answers: string[]) => answers.filter((a) => a.length > 0 && a !== 'from the attacker');

describe('a shell on one GPU VM (pool phi3-mini)', () => {
  it("cannot become a replica of another pool: the entry is refused, the pool's own agent serves", async () => {
    const onItsOwnVm = await attackerServer('127.0.0.1');
    const entry = registryEntry({ id: 'vm-phi3-mini-0-as-mixtral', pool: 'mixtral-8x7b', model: 'mixtral-8x7b', address: onItsOwnVm });
    const answers = await planted([entry], () => sendPrompts('mixtral-8x7b', 12));
    expect(stolen).toEqual([]);
    expect(real(answers)).toHaveLength(12);
  });

  it('cannot send its own pool’s prompts outside the GPU subnet, even with its pool’s secret', async () => {
    const outside = await attackerServer('127.0.0.2');
    const entry = registryEntry({ id: 'vm-phi3-mini-9', pool: 'phi3-mini', model: 'phi3-mini', address: outside });
    const answers = await planted([entry], () => sendPrompts('phi3-mini', 12));
    expect(stolen).toEqual([]);
    expect(real(answers)).toHaveLength(12);
  });
});
