import { LogsQueryClient, LogsQueryResultStatus } from '@azure/monitor-query-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogAnalyticsDataPlane, parseTimespan, type LogAnalyticsDataPlane } from './loganalytics.js';
import { testCert, type TestCert } from '../../testkit/tls.js';
import { seededRandom, staticCredential, TEST_TOKEN } from '../../testkit/fakes.js';
import { FakeClock } from '../../testkit/fake-clock.js';
import { startTestServer, type TestServer } from '../../testkit/dataplane-server.js';

const WS = '11111111-2222-3333-4444-555555555555';
/** The custom tables these queries read, as ARM would hold their schemas. */
const SCHEMAS: Record<string, { name: string; type: string }[]> = {
  GpuarbAgent_CL: [
    { name: 'TimeGenerated', type: 'dateTime' },
    { name: 'Level', type: 'string' },
    { name: 'Message', type: 'string' },
    { name: 'Vm', type: 'string' },
    { name: 'LatencyMs', type: 'real' },
    { name: 'Details', type: 'dynamic' },
  ],
  Lagged_CL: [
    { name: 'TimeGenerated', type: 'dateTime' },
    { name: 'Message', type: 'string' },
  ],
};
const NO_RULES = { rule: () => undefined, principalOf: () => undefined, mayIngest: () => false };
const clock = new FakeClock(Date.parse('2025-03-01T12:00:00Z'));
const minutesAgo = (m: number): string => new Date(clock.now() - m * 60_000).toISOString();
let tls: TestCert;
let server: TestServer;
let plane: LogAnalyticsDataPlane;
let client: LogsQueryClient;

beforeAll(async () => {
  tls = testCert();
  plane = createLogAnalyticsDataPlane({
    now: clock.now,
    random: seededRandom(3),
    workspaceExists: (id) => id === WS,
    authorize: (req) => (req.token === TEST_TOKEN ? 'allowed' : 'unauthenticated'),
    tableSchema: (_ws, table) => SCHEMAS[table],
    ingestion: NO_RULES,
  });
  plane.ingest(WS, 'GpuarbAgent_CL', [
    { TimeGenerated: minutesAgo(60), Level: 'Info', Message: 'agent started on vm-1', Vm: 'vm-1', LatencyMs: 10 },
    { TimeGenerated: minutesAgo(10), Level: 'Warning', Message: 'queue depth high', Vm: 'vm-1', LatencyMs: 250 },
    {
      TimeGenerated: minutesAgo(5),
      Level: 'Error',
      Message: 'Preempt notice received, draining',
      Vm: 'vm-2',
      LatencyMs: 900.5,
      Details: { eventId: 'e1' },
    },
    { TimeGenerated: minutesAgo(1), Level: 'Info', Message: 'drained', Vm: 'vm-2', LatencyMs: 20 },
  ]);
  server = await startTestServer(tls, [plane]);
  client = new LogsQueryClient(staticCredential(), {
    endpoint: `${server.origin}/v1`,
    tlsOptions: { ca: tls.ca },
    retryOptions: { maxRetries: 0 },
  });
});

afterAll(async () => {
  await server?.close();
});

async function rows(kql: string, duration = 'PT1H'): Promise<unknown[][]> {
  const result = await client.queryWorkspace(WS, kql, { duration });
  if (result.status !== LogsQueryResultStatus.Success) throw new Error('partial result');
  return result.tables[0].rows;
}

describe('Log Analytics query API with the real LogsQueryClient', () => {
  it('returns PrimaryResult with typed columns; datetimes and dynamics converted by the SDK', async () => {
    const result = await client.queryWorkspace(WS, 'GpuarbAgent_CL', { duration: 'P1D' });
    expect(result.status).toBe(LogsQueryResultStatus.Success);
    if (result.status !== LogsQueryResultStatus.Success) return;
    const [table] = result.tables;
    expect(table.name).toBe('PrimaryResult');
    expect(table.columnDescriptors).toEqual([
      { name: 'TimeGenerated', type: 'datetime' },
      { name: 'Level', type: 'string' },
      { name: 'Message', type: 'string' },
      { name: 'Vm', type: 'string' },
      { name: 'LatencyMs', type: 'real' },
      { name: 'Details', type: 'dynamic' },
    ]);
    expect(table.rows).toHaveLength(4);
    expect(table.rows[0][0]).toBeInstanceOf(Date);
    expect(table.rows[2][5]).toEqual({ eventId: 'e1' });
  });

  it('honours the timespan on TimeGenerated', async () => {
    expect(await rows('GpuarbAgent_CL', 'PT15M')).toHaveLength(3);
    const start = new Date(clock.now() - 7 * 60_000);
    const r = await client.queryWorkspace(WS, 'GpuarbAgent_CL | project Message', { startTime: start, endTime: new Date(clock.now()) });
    expect(r.status === LogsQueryResultStatus.Success && r.tables[0].rows).toEqual([['Preempt notice received, draining'], ['drained']]);
  });

  it('evaluates where (==, !=, <, >=, and, or, has, contains, ago, datetime), project, order by, take', async () => {
    expect(await rows("GpuarbAgent_CL | where Level == 'Error' | project Vm")).toEqual([['vm-2']]);
    expect(await rows("GpuarbAgent_CL | where Level != 'Info' and LatencyMs >= 250 | project Level | order by Level asc")).toEqual([
      ['Error'],
      ['Warning'],
    ]);
    expect(await rows("GpuarbAgent_CL | where Message has 'preempt' | project Vm")).toEqual([['vm-2']]);
    expect(await rows("GpuarbAgent_CL | where Message has 'pre' | project Vm")).toEqual([]);
    expect(await rows("GpuarbAgent_CL | where Message contains 'DRAIN' | count")).toEqual([[2]]);
    expect(await rows('GpuarbAgent_CL | where TimeGenerated > ago(6m) | project Message | order by Message asc')).toEqual([
      ['Preempt notice received, draining'],
      ['drained'],
    ]); // ordinal, as KQL sorts
    expect(await rows(`GpuarbAgent_CL | where TimeGenerated < datetime(${minutesAgo(30)}) | project Vm`, 'P1D')).toEqual([['vm-1']]);
    expect(await rows("GpuarbAgent_CL | where Vm == 'vm-1' or LatencyMs < 15 | order by TimeGenerated | take 1 | project Message")).toEqual(
      [['queue depth high']],
    );
    expect(await rows('GpuarbAgent_CL | top 1 by LatencyMs | project Vm, Ms = LatencyMs')).toEqual([['vm-2', 900.5]]);
  });

  it('hides rows until the ingestion lag has passed', async () => {
    const lagged = createLogAnalyticsDataPlane(
      {
        now: clock.now,
        random: seededRandom(1),
        workspaceExists: () => true,
        authorize: () => 'allowed',
        tableSchema: (_ws, table) => SCHEMAS[table],
        ingestion: NO_RULES,
      },
      { ingestionDelayMs: 30_000 },
    );
    lagged.ingest(WS, 'Lagged_CL', [{ Message: 'late' }]);
    const srv = await startTestServer(tls, [lagged]);
    try {
      const c = new LogsQueryClient(staticCredential(), {
        endpoint: `${srv.origin}/v1`,
        tlsOptions: { ca: tls.ca },
        retryOptions: { maxRetries: 0 },
      });
      const count = async (): Promise<unknown> => {
        const r = await c.queryWorkspace(WS, 'Lagged_CL | count', { duration: 'PT1H' });
        return r.status === LogsQueryResultStatus.Success ? r.tables[0].rows[0][0] : undefined;
      };
      expect(await count()).toBe(0);
      await clock.advance(30_000);
      expect(await count()).toBe(1);
    } finally {
      await srv.close();
    }
  });

  it('rejects unsupported KQL with BadArgumentError / SyntaxError naming the operator', async () => {
    const err = await client.queryWorkspace(WS, 'GpuarbAgent_CL | summarize count() by Vm', { duration: 'PT1H' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ statusCode: 400, code: 'BadArgumentError' });
    const details = (err as { details?: { error?: { innererror?: { code?: string; innererror?: { message?: string } } } } }).details?.error;
    expect(details?.innererror?.code).toBe('SyntaxError');
    expect(details?.innererror?.innererror?.message).toContain("'summarize' is not supported");
  });

  it('answers SemanticError for an unknown table or column', async () => {
    await expect(client.queryWorkspace(WS, 'NoSuchTable', { duration: 'PT1H' })).rejects.toMatchObject({
      statusCode: 400,
      code: 'BadArgumentError',
    });
    const err = await client.queryWorkspace(WS, "GpuarbAgent_CL | where Nope == 'x'", { duration: 'PT1H' }).catch((e: unknown) => e);
    expect((err as { details?: { error?: { innererror?: { code?: string } } } }).details?.error?.innererror?.code).toBe('SemanticError');
  });

  it('answers 404 for an unknown workspace and 403 for a bad token', async () => {
    await expect(client.queryWorkspace('00000000-0000-0000-0000-000000000000', 'X', { duration: 'PT1H' })).rejects.toMatchObject({
      statusCode: 404,
    });
    const bad = new LogsQueryClient(staticCredential('nope'), {
      endpoint: `${server.origin}/v1`,
      tlsOptions: { ca: tls.ca },
      retryOptions: { maxRetries: 0 },
    });
    await expect(bad.queryWorkspace(WS, 'GpuarbAgent_CL', { duration: 'PT1H' })).rejects.toMatchObject({
      statusCode: 403,
      code: 'InvalidAuthenticationToken',
    });
  });

  it('parses ISO 8601 timespans in every form the SDK sends', () => {
    const now = Date.parse('2025-01-02T00:00:00Z');
    expect(parseTimespan('PT15M', now)).toEqual({ start: now - 900_000, end: now });
    expect(parseTimespan('P1DT1H', now)).toEqual({ start: now - 90_000_000, end: now });
    expect(parseTimespan('2025-01-01T00:00:00.000Z/PT1H', now)).toEqual({ start: now - 86_400_000, end: now - 82_800_000 });
    expect(parseTimespan('garbage', now)).toBeNull();
  });
});
