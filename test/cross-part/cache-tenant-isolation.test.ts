// Tenant isolation of the response cache as deployed: the gateway config generated from a
// gpuarb.yaml that says nothing about the cache (src/config → gateway config), a real gateway,
// and two customers using the official OpenAI client. Customer B must never receive an answer
// cached for customer A, nor plant one that A receives.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { gatewayConfigForStack } from '../../src/config/gateway-config.js';
import { INTERNAL_KEY, startHarness, type Harness } from '../../testkit/gateway.js';
import { startScriptedAgent, type ScriptedAgent } from '../../testkit/scripted-agent.js';

const YAML = `stack: tenant
pools:
  - name: phi
    model: phi3-mini
    engine: sim
    sku: Standard_NC4as_T4_v3
`;

let h: Harness;
let agent: ScriptedAgent;

beforeAll(async () => {
  const { config } = parseConfigText(YAML, 'gpuarb.yaml', {});
  const generated = gatewayConfigForStack(config, {
    cosmosEndpoint: 'https://unused',
    cosmosDatabase: 'unused',
    vaultUrl: 'https://unused',
    queueEndpoint: 'https://unused',
    jobsQueue: 'unused',
  });
  h = await startHarness({ config: { cache: { ...generated.cache, memoryEntries: 0 } } });
  agent = await startScriptedAgent('phi', INTERNAL_KEY);
  await h.register({ id: 'phi-1', model: 'phi3-mini', address: agent.url });
});
afterAll(async () => {
  await h?.stop();
  await agent?.stop();
  await h?.cosmos.stop();
});

const customer = (name: string) => new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'unused', defaultHeaders: h.apim(name), maxRetries: 0 });

async function askUntilCached(client: OpenAI, content: string): Promise<void> {
  // Cache writes are asynchronous by design: poll (bounded) until the asker's own entry is there.
  for (let i = 0; i < 100; i++) {
    const { response } = await client.chat.completions
      .create({ model: 'phi3-mini', messages: [{ role: 'user', content }], temperature: 0 })
      .withResponse();
    if (response.headers.get('x-gpuarb-cache') === 'hit') return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('the answer never reached the cache');
}

describe('response cache under the default gpuarb.yaml', () => {
  it("never serves one customer's cached answer to another", async () => {
    const content = `my private question ${Date.now()}`;
    await askUntilCached(customer('alice'), content);
    const { response } = await customer('bob')
      .chat.completions.create({ model: 'phi3-mini', messages: [{ role: 'user', content }], temperature: 0 })
      .withResponse();
    expect(response.headers.get('x-gpuarb-cache')).toBe('miss');
  });
});
