// The log pipeline as Azure Monitor enforces it, on the real emulator over HTTPS: a rule cannot
// name a table that was not created (InvalidOutputTable), and rows reach a table only through
// the Logs Ingestion API with a rule that exists, a declared stream and Monitoring Metrics
// Publisher on the rule; a query on a table that does not exist fails with Log Analytics' error.
import { LogsQueryClient, LogsQueryResultStatus } from '@azure/monitor-query-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../testkit/cloud.js';
import { httpsClient } from '../../testkit/https-client.js';
import { MONITORING_METRICS_PUBLISHER } from '../providers/monitoring-logs.js';

let cloud: LocalCloud;
let http: ReturnType<typeof httpsClient>;
let rg: string;
let workspace: { id: string; customerId: string };
let rule: { id: string; immutableId: string };
let endpoint: string;
const columns = [
  { name: 'TimeGenerated', type: 'dateTime' },
  { name: 'Message', type: 'string' },
  { name: 'Status', type: 'int' },
];
const dcrBody = (table: string) => ({
  location: 'eastus',
  properties: {
    dataCollectionEndpointId: `${rg}/providers/Microsoft.Insights/dataCollectionEndpoints/dce-t`,
    streamDeclarations: { [`Custom-${table}`]: { columns: columns.map((c) => ({ ...c, type: c.type.toLowerCase() })) } },
    destinations: { logAnalytics: [{ name: 'ws', workspaceResourceId: workspace.id }] },
    dataFlows: [{ streams: [`Custom-${table}`], destinations: ['ws'], transformKql: 'source', outputStream: `Custom-${table}` }],
  },
});
const armError = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e as { status?: number; code?: string; message: string; cause?: unknown };
  }
  throw new Error('expected the ARM write to fail');
};
const post = (ruleId: string, stream: string, body: unknown, token = cloud.emulator.token) =>
  http.send(`${endpoint}/dataCollectionRules/${ruleId}/streams/${stream}?api-version=2023-01-01`, {
    headers: { authorization: `Bearer ${token}` },
    body,
  });

beforeAll(async () => {
  cloud = await startLocalCloud();
  http = httpsClient(cloud.emulator.caCertPem);
  rg = `/subscriptions/${cloud.emulator.subscriptionId}/resourceGroups/rg-logs`;
  await cloud.arm.put(rg, '2025-04-01', { location: 'eastus' });
  const ws = (await cloud.arm.put(`${rg}/providers/Microsoft.OperationalInsights/workspaces/log-t`, '2023-09-01', {
    location: 'eastus',
    properties: {},
  })) as { id: string; properties: { customerId: string } };
  workspace = { id: ws.id, customerId: ws.properties.customerId };
  const dce = (await cloud.arm.put(`${rg}/providers/Microsoft.Insights/dataCollectionEndpoints/dce-t`, '2023-03-11', {
    location: 'eastus',
    properties: {},
  })) as { properties: { logsIngestion: { endpoint: string } } };
  endpoint = dce.properties.logsIngestion.endpoint;
}, 60_000);

afterAll(async () => {
  http?.close();
  await cloud?.stop();
});

describe('log pipeline resources through ARM', () => {
  it('refuses a rule whose output table was never created (InvalidOutputTable), and a custom table without _CL', async () => {
    // Raw PUT: the exact body Azure answers (error, then one detail per flow).
    const r = await http.send(
      `${cloud.emulator.endpoint}${rg}/providers/Microsoft.Insights/dataCollectionRules/dcr-early?api-version=2023-03-11`,
      {
        method: 'PUT',
        headers: { authorization: `Bearer ${cloud.emulator.token}` },
        body: dcrBody('Early_CL'),
      },
    );
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).error).toEqual({
      code: 'InvalidPayload',
      message: 'Data collection rule is invalid',
      details: [
        {
          code: 'InvalidOutputTable',
          target: 'properties.dataFlows[0]',
          message: "Table for output stream 'Custom-Early_CL' is not available for destination 'ws'.",
        },
      ],
    });
    const bad = await armError(
      cloud.arm.put(`${workspace.id}/tables/NoSuffix`, '2023-09-01', { properties: { schema: { name: 'NoSuffix', columns } } }),
    );
    expect(bad.status).toBe(400);
    expect(bad.message).toMatch(/must .*end with '_CL'/);
  });

  it('accepts the rule once the table exists and gives it an immutable id', async () => {
    await cloud.arm.put(`${workspace.id}/tables/Pipe_CL`, '2023-09-01', { properties: { schema: { name: 'Pipe_CL', columns } } });
    const r = (await cloud.arm.put(`${rg}/providers/Microsoft.Insights/dataCollectionRules/dcr-t`, '2023-03-11', dcrBody('Pipe_CL'))) as {
      id: string;
      properties: { immutableId: string };
    };
    expect(r.properties.immutableId).toMatch(/^dcr-[0-9a-f]{32}$/);
    rule = { id: r.id, immutableId: r.properties.immutableId };
  });
});

describe('Logs Ingestion API', () => {
  it('refuses a writer without Monitoring Metrics Publisher on the rule (403 OperationFailed)', async () => {
    const r = await post(rule.immutableId, 'Custom-Pipe_CL', [{ Message: 'm' }]);
    expect(r.status).toBe(403);
    const error = JSON.parse(r.body).error;
    expect(error.code).toBe('OperationFailed');
    expect(error.message).toContain(
      `The authentication token provided does not have access to ingest data for the data collection rule with immutable Id '${rule.immutableId}'`,
    );
  });

  it('with the role: 204, and only the declared columns land in the table', async () => {
    await cloud.arm.put(`${rule.id}/providers/Microsoft.Authorization/roleAssignments/6b1a2c3d-0000-4000-8000-000000000001`, '2022-04-01', {
      properties: {
        principalId: cloud.emulator.operatorObjectId,
        roleDefinitionId: `/subscriptions/${cloud.emulator.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${MONITORING_METRICS_PUBLISHER}`,
      },
    });
    const r = await post(rule.immutableId, 'Custom-Pipe_CL', [{ Message: 'hello', Status: 503, Secret: 'dropped' }]);
    expect(r.status, r.body).toBe(204);
    const client = new LogsQueryClient(cloud.emulator.credential, {
      endpoint: `${cloud.emulator.endpoint}/v1`,
      tlsOptions: { ca: cloud.emulator.caCertPem },
      retryOptions: { maxRetries: 0 },
    } as never);
    const result = await client.queryWorkspace(workspace.customerId, 'Pipe_CL | project Message, Status', { duration: 'PT1H' });
    expect(result.status).toBe(LogsQueryResultStatus.Success);
    if (result.status !== LogsQueryResultStatus.Success) return;
    expect(result.tables[0].rows).toEqual([['hello', 503]]);
    const all = await client.queryWorkspace(workspace.customerId, 'Pipe_CL', { duration: 'PT1H' });
    if (all.status === LogsQueryResultStatus.Success) expect(all.tables[0].columnDescriptors.map((c) => c.name)).not.toContain('Secret');
  });

  it('an unknown rule is 404, an undeclared stream 400 InvalidStream, an unknown token 401', async () => {
    expect((await post('dcr-00000000000000000000000000000000', 'Custom-Pipe_CL', [])).status).toBe(404);
    const undeclared = await post(rule.immutableId, 'Custom-Other_CL', [{ Message: 'm' }]);
    expect([undeclared.status, JSON.parse(undeclared.body).error.code]).toEqual([400, 'InvalidStream']);
    expect((await post(rule.immutableId, 'Custom-Pipe_CL', [], 'not-a-token')).status).toBe(401);
  });

  it('a query on a table that does not exist fails with BadArgumentError / SemanticError', async () => {
    const r = await http.send(`${cloud.emulator.endpoint}/v1/workspaces/${workspace.customerId}/query`, {
      headers: { authorization: `Bearer ${cloud.emulator.token}` },
      body: { query: 'Missing_CL | count' },
    });
    expect(r.status).toBe(400);
    const error = JSON.parse(r.body).error;
    expect([error.code, error.innererror.code]).toEqual(['BadArgumentError', 'SemanticError']);
    expect(error.innererror.innererror.message).toBe(
      "'Missing_CL' operator: Failed to resolve table or column expression named 'Missing_CL'",
    );
  });
});
