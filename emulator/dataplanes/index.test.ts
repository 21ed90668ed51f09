import { request, type Agent } from 'node:https';
import { SecretClient } from '@azure/keyvault-secrets';
import { LogsQueryClient, LogsQueryResultStatus } from '@azure/monitor-query-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpsDataPlanes, createLoopbackAgent, vaultUri, type HttpsDataPlanes } from './index.js';
import { testCert, type TestCert } from '../../testkit/tls.js';
import { seededRandom, staticCredential, TEST_TOKEN } from '../../testkit/fakes.js';
import { FakeClock } from '../../testkit/fake-clock.js';
import { startTestServer, type TestServer } from '../../testkit/dataplane-server.js';

const WS = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
let tls: TestCert;
let server: TestServer;
let agent: Agent;
let planes: HttpsDataPlanes;

beforeAll(async () => {
  tls = testCert();
  const clock = new FakeClock(Date.parse('2025-02-02T00:00:00Z'));
  planes = createHttpsDataPlanes({
    now: clock.now,
    random: seededRandom(5),
    tenantId: 'tenant',
    authorize: (r) => (r.token === TEST_TOKEN ? 'allowed' : 'unauthenticated'),
    lookupVault: (name) =>
      name === 'stack-kv'
        ? {
            resourceId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/stack-kv',
            location: 'eastus',
            softDeleted: false,
            purgeProtection: true,
            softDeleteRetentionInDays: 90,
          }
        : undefined,
    workspaceExists: (id) => id === WS,
    tableSchema: () => undefined,
    ingestion: { rule: () => undefined, principalOf: () => undefined, mayIngest: () => false },
  });
  planes.logAnalytics.ingest(WS, 'AppTraces', [{ Message: 'hello' }]);
  server = await startTestServer(tls, planes.handlers);
  agent = createLoopbackAgent(tls.ca);
});

afterAll(async () => {
  agent?.destroy();
  await server?.close();
});

function status(path: string, host?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.origin}${path}`,
      { agent, headers: host ? { host } : {}, servername: host?.replace(/:\d+$/, ''), timeout: 5000 },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

describe('all HTTPS data planes on one port', () => {
  it('route by host and path without claiming ARM paths', async () => {
    const kv = new SecretClient(vaultUri('stack-kv', server.port), staticCredential(), { agent, retryOptions: { maxRetries: 0 } });
    await kv.setSecret('internal-service-key', 'k');
    expect((await kv.getSecret('internal-service-key')).value).toBe('k');

    const logs = new LogsQueryClient(staticCredential(), {
      endpoint: `${server.origin}/v1`,
      tlsOptions: { ca: tls.ca },
      retryOptions: { maxRetries: 0 },
    });
    const r = await logs.queryWorkspace(WS, 'AppTraces | project Message', { duration: 'P1D' });
    expect(r.status === LogsQueryResultStatus.Success && r.tables[0].rows).toEqual([['hello']]);

    expect(await status("/api/retail/prices?$filter=serviceName%20eq%20'Virtual%20Machines'")).toBe(200);
    // Not a data-plane path: every handler declines, and the (test) router answers 404 itself.
    expect(await status('/subscriptions/s/resourcegroups?api-version=2021-04-01')).toBe(404);
  });

  it('exports state from every plane that has any', () => {
    expect(Object.keys(planes.keyVault.exportState())).toEqual(['stack-kv']);
    expect(Object.keys(planes.logAnalytics.exportState())).toEqual([WS]);
  });
});
