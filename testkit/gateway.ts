// One gateway under test: Cosmos (in-process emulator), optionally Azurite, the gateway itself
// on node:http at port 0, and helpers to publish registry documents the way agents do.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RegistryDoc, registryKey, registrySignature } from '../contracts/registry.js';
import { HEADER_BACKEND_KEY, HEADER_CUSTOMER } from '../contracts/headers.js';
import { parseGatewayConfig } from '../gateway/config-load.js';
import type { GatewayConfigInput } from '../contracts/gateway-config.js';
import { createGateway, type Gateway } from '../gateway/gateway.js';
import { createNodeServer } from '../gateway/node-host.js';
import { createLogger, type Logger } from '../gateway/log.js';
import { startTestCosmos, type TestCosmos } from './cosmos.js';

export const BACKEND_SECRET = 'backend-secret-current-0123456789';
export const BACKEND_SECRET_PREVIOUS = 'backend-secret-previous-012345678';
export const INTERNAL_KEY = 'test-internal-key-0123456789';

/** Three models: cheap phi (code-capable), mid mixtral (code, math, tools), big llama. */
export function testModels(): GatewayConfigInput['models'] {
  return [
    {
      name: 'phi3-mini',
      aliases: ['phi-3'],
      contextTokens: 4096,
      maxOutputTokens: 1024,
      skills: ['code'],
      cost: { inputPerMillion: 0.1, outputPerMillion: 0.2 },
      fallback: ['mixtral-8x7b'],
    },
    {
      name: 'mixtral-8x7b',
      aliases: ['mixtral'],
      contextTokens: 32768,
      maxOutputTokens: 4096,
      skills: ['code', 'math', 'tools'],
      cost: { inputPerMillion: 0.5, outputPerMillion: 1 },
      fallback: ['llama3-70b'],
    },
    {
      name: 'llama3-70b',
      aliases: ['llama'],
      contextTokens: 8192,
      maxOutputTokens: 4096,
      skills: ['code', 'math', 'tools'],
      cost: { inputPerMillion: 1, outputPerMillion: 2 },
    },
  ];
}

export interface HarnessOptions {
  config?: Partial<GatewayConfigInput>;
  storageConnectionString?: string;
  cosmos?: TestCosmos;
  log?: Logger;
  startWorker?: boolean;
}

export interface Harness {
  url: string;
  cosmos: TestCosmos;
  gateway: Gateway;
  caFile: string;
  /** Headers API Management would add. */
  apim(customer?: string): Record<string, string>;
  register(doc: Partial<RegistryDoc> & Pick<RegistryDoc, 'id' | 'model' | 'address'>): Promise<void>;
  unregister(doc: Pick<RegistryDoc, 'id' | 'pool'>): Promise<void>;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<globalThis.Response>;
  stop(): Promise<void>;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const cosmos = opts.cosmos ?? (await startTestCosmos());
  const dir = mkdtempSync(join(tmpdir(), 'gw-test-'));
  const caFile = join(dir, 'cosmos-ca.pem');
  writeFileSync(caFile, cosmos.ca);
  const cfg = parseGatewayConfig({
    listen: { host: '127.0.0.1', port: 0 },
    cosmos: { endpoint: cosmos.endpoint, key: cosmos.key, database: cosmos.database, caFile },
    secrets: {
      backend: { kind: 'static', current: BACKEND_SECRET, previous: BACKEND_SECRET_PREVIOUS },
      internalServiceKey: { kind: 'static', current: INTERNAL_KEY },
    },
    models: testModels(),
    registry: { cacheMs: 0 },
    deadlines: { requestMs: 10_000, firstByteMs: 5_000, idleMs: 3_000, connectMs: 1_000 },
    jobs: { worker: false, concurrency: 2, maxAttempts: 3, visibilityTimeoutSeconds: 2, resultTtlSeconds: 3600, pollIntervalMs: 50 },
    ...(opts.storageConnectionString
      ? { storage: { connectionString: opts.storageConnectionString, jobsQueue: `jobs${Date.now()}` } }
      : {}),
    ...opts.config,
  });
  const log = opts.log ?? createLogger('error', () => {});
  const gateway = await createGateway(cfg, { log });
  await gateway.start({ worker: opts.startWorker ?? false });
  const server: Server = createNodeServer(gateway.handle, { ...cfg.limits, log });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const registry = cosmos.client.database(cosmos.database).container('registry');
  const apim = (customer = 'acme') => ({ [HEADER_BACKEND_KEY]: BACKEND_SECRET, [HEADER_CUSTOMER]: customer });
  return {
    url,
    cosmos,
    gateway,
    caFile,
    apim,
    async register(doc) {
      const full = registryEntry(doc);
      // Signed as an agent of the pool signs it: the gateway ignores unsigned entries.
      full.sig = registrySignature(registryKey(INTERNAL_KEY, full.pool), full);
      await registry.items.upsert(full);
    },
    async unregister(doc) {
      await registry
        .item(doc.id, doc.pool)
        .delete()
        .catch(() => {});
    },
    post: (path, body, headers = {}) =>
      fetch(url + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...apim(), ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await gateway.close(5_000);
      if (!opts.cosmos) await cosmos.stop();
    },
  };
}

/** A ready sim replica's registry entry (unsigned), with `doc`'s fields over the defaults. */
export function registryEntry(doc: Partial<RegistryDoc> & Pick<RegistryDoc, 'id' | 'model' | 'address'>): RegistryDoc {
  return {
    pool: doc.model,
    state: 'ready',
    inFlight: 0,
    queue: 0,
    tokensPerSecond: 0,
    zone: null,
    priority: 'Spot',
    engine: 'sim',
    simulated: true,
    lastSeen: Date.now(),
    ...doc,
  };
}
