// status, scale and logs against the local cloud through the real SDK clients: the scale set,
// autoscale setting and workspace are created here through ARM (not by `gpuarb up`), and log
// rows are ingested the way the local cloud's collector does (contracts/log-schema.ts columns).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ComputeManagementClient } from '@azure/arm-compute';
import { MonitorClient } from '@azure/arm-monitor';
import { OperationalInsightsManagementClient } from '@azure/arm-operationalinsights';
import { collectStatus } from './status-collect.js';
import { buildStatus } from './status-model.js';
import { scalePool } from './scale.js';
import { runLogs } from './logs.js';
import { LOG_TABLE, LOG_TABLE_COLUMNS } from '../../contracts/log-schema.js';
import { statusCommand } from '../commands/status.js';
import { startOpsCloud, type OpsTestCloud } from '../../testkit/ops-cloud.js';
import { required } from '../../lib/required.js';
import { flexSpotScaleSet } from '../../testkit/fixtures/flex-spot-scale-set.js';

let cloud: OpsTestCloud;
let compute: ComputeManagementClient;
let customerId: string;
const poll = { updateIntervalInMs: 10 };

beforeAll(async () => {
  cloud = await startOpsCloud();
  const { names } = cloud.loaded;
  const opts = cloud.emu.clientOptions();
  compute = new ComputeManagementClient(cloud.emu.credential, cloud.emu.subscriptionId, opts);
  await compute.virtualMachineScaleSets.createOrUpdate(cloud.rgName, names.vmss.phi, flexSpotScaleSet(2, { zones: ['1', '2'] }), poll);
  const vmssId =
    `/subscriptions/${cloud.emu.subscriptionId}/resourceGroups/${cloud.rgName}` +
    `/providers/Microsoft.Compute/virtualMachineScaleSets/${names.vmss.phi}`;
  await new MonitorClient(cloud.emu.credential, cloud.emu.subscriptionId, opts).autoscaleSettings.createOrUpdate(
    cloud.rgName,
    'autoscale-phi',
    {
      location: 'eastus',
      enabled: false,
      targetResourceUri: vmssId,
      profiles: [{ name: 'queue-depth', capacity: { minimum: '1', maximum: '4', default: '1' }, rules: [] }],
    },
  );
  const ws = await new OperationalInsightsManagementClient(
    cloud.emu.credential,
    cloud.emu.subscriptionId,
    opts,
  ).workspaces.beginCreateOrUpdateAndWait(cloud.rgName, names.workspace, { location: 'eastus', sku: { name: 'PerGB2018' } }, poll);
  customerId = required(ws.customerId, 'the workspace customer id');
  // The gpuarb table exists only once created through ARM, with the schema `up` gives it.
  await cloud.put(
    `${required(ws.id, 'the workspace id')}/tables/${LOG_TABLE}`,
    {
      properties: { schema: { name: LOG_TABLE, columns: LOG_TABLE_COLUMNS } },
    },
    '2023-09-01',
  );
});
afterAll(async () => cloud?.stop());

describe('status on the local cloud', () => {
  it('reports pools, Spot/Regular, zones, prices and traffic; degraded while nothing is ready', async () => {
    const now = Date.now();
    const req = (ago: number, status: number, cache: string) => ({
      TimeGenerated: new Date(now - ago).toISOString(),
      Level: 'info',
      Message: 'request',
      Component: 'gateway',
      Status: status,
      Cache: cache,
    });
    cloud.planes.logAnalytics.ingest(customerId, LOG_TABLE, [
      req(60_000, 200, 'hit'),
      req(120_000, 200, 'miss'),
      req(180_000, 503, 'miss'),
      req(30 * 60_000, 200, 'hit'),
    ]);
    const { ctx } = cloud.context();
    const report = buildStatus(await collectStatus(ctx));
    const pool = report.pools[0];
    expect(pool).toMatchObject({ name: 'phi', desired: 2, actual: 2, spot: 1, regular: 1, min: 1, max: 4, autoscale: false });
    expect(Object.values(pool.zones).reduce((a, b) => a + b, 0)).toBe(2);
    expect(pool.costPerHour).toBe(0.66); // Retail Prices sample data: one spot (0.11) + one regular (0.55)
    expect(report.traffic?.[0]).toEqual({ minutes: 5, requestsPerMinute: 0.6, errorRate: 0.3333, cacheHitRate: 0.3333 });
    expect(report.traffic?.[1].requestsPerMinute).toBeCloseTo(4 / 60, 2);
    // No registry (no Cosmos here) and no health extension: nothing counts as ready.
    expect(report.degraded).toBe(true);
    expect(report.problems).toContain('pool phi: 0 ready instances, below its minimum of 1');
    expect(statusCommand.exitCode?.(report, { interval: 5 })).toBe(8);
  });
});

describe('status --watch', () => {
  it('redraws on stderr each interval and returns the last report on Ctrl-C', async () => {
    const controller = new AbortController();
    let sleeps = 0;
    const clock = {
      now: () => Date.now(),
      sleep: async (ms: number, signal?: AbortSignal) => {
        expect(ms).toBe(2000);
        if (++sleeps === 2) controller.abort();
        if (signal?.aborted) throw signal.reason;
      },
    };
    const { ctx, stderr } = cloud.context({ clock, signal: controller.signal });
    const report = await statusCommand.run(ctx, { watch: true, interval: 2 });
    expect(stderr.text.match(/^DEGRADED at /gm)).toHaveLength(2);
    expect(report.pools[0].name).toBe('phi');
  });
});

describe('scale on the local cloud', () => {
  it('refuses outside the autoscale bounds before touching anything', async () => {
    const { ctx } = cloud.context();
    await expect(scalePool(ctx, 'phi', { kind: 'capacity', to: 9 }, { wait: false })).rejects.toMatchObject({
      code: 'OutsideBounds',
    });
    expect((await compute.virtualMachineScaleSets.get(cloud.rgName, cloud.loaded.names.vmss.phi)).sku?.capacity).toBe(2);
  });

  it('refuses over the Spot quota with the numbers', async () => {
    cloud.emu.control.setQuota('eastus', 'lowPriorityCores', 4);
    try {
      const { ctx } = cloud.context();
      await expect(scalePool(ctx, 'phi', { kind: 'capacity', to: 4 }, { wait: false })).rejects.toMatchObject({
        code: 'QuotaExceeded',
      });
    } finally {
      cloud.emu.control.setQuota('eastus', 'lowPriorityCores', 1000);
    }
  });

  it("refuses a bigger on-demand floor than the VM family's quota allows, naming the family", async () => {
    cloud.emu.control.setQuota('eastus', 'standardNCASv3_T4Family', 4); // the one Regular VM uses all 4
    try {
      const { ctx } = cloud.context();
      await expect(scalePool(ctx, 'phi', { kind: 'mix', regularBase: 2 }, { wait: false })).rejects.toMatchObject({
        code: 'QuotaExceeded',
        message: expect.stringContaining(
          'needs 4 more Regular vCPUs of Standard_NC4as_T4_v3, but the standardNCASv3_T4Family quota in eastus has 0 left',
        ),
        hint: expect.stringContaining('Request more standardNCASv3_T4Family vCPUs in eastus'),
      });
    } finally {
      cloud.emu.control.setQuota('eastus', 'standardNCASv3_T4Family', 1000);
    }
  });

  it('--to with --no-wait changes the capacity (flattened body) and the VMs follow', async () => {
    const { ctx } = cloud.context();
    const r = await scalePool(ctx, 'phi', { kind: 'capacity', to: 3 }, { wait: false });
    expect(r).toMatchObject({ capacity: 3, waited: false, applied: { capacity: 3 } });
    expect((await compute.virtualMachineScaleSets.get(cloud.rgName, cloud.loaded.names.vmss.phi)).sku?.capacity).toBe(3);
  });

  it('the wait reports each instance on stderr and is bounded', async () => {
    const { ctx, stderr } = cloud.context();
    await expect(scalePool(ctx, 'phi', { kind: 'capacity', to: 2 }, { timeoutSeconds: 1 })).rejects.toMatchObject({
      code: 'ScaleTimeout',
    });
    expect(stderr.text).toMatch(/capacity phi: 3 → 2/);
    expect(stderr.text.match(/^ {2}\S+_\w+: starting$/gm)?.length).toBe(2);
  });

  it('changes the priority mix and the autoscale bounds', async () => {
    const { ctx } = cloud.context();
    await scalePool(ctx, 'phi', { kind: 'mix', regularBase: 0, regularPercent: 50 });
    expect((await compute.virtualMachineScaleSets.get(cloud.rgName, cloud.loaded.names.vmss.phi)).priorityMixPolicy).toMatchObject({
      baseRegularPriorityCount: 0,
      regularPriorityPercentageAboveBase: 50,
    });
    const r = await scalePool(ctx, 'phi', { kind: 'bounds', min: 0, max: 6 });
    expect(r.applied.autoscale).toEqual({ min: 0, max: 6 });
    const setting = await new MonitorClient(
      cloud.emu.credential,
      cloud.emu.subscriptionId,
      cloud.emu.clientOptions(),
    ).autoscaleSettings.get(cloud.rgName, 'autoscale-phi');
    expect(setting.profiles[0].capacity).toEqual({ minimum: '0', maximum: '6', default: '1' });
  });
});

describe('logs on the local cloud', () => {
  it('filters by pool, level and text (escaped), oldest first', async () => {
    const t = Date.now() - 60_000;
    const row = (dt: number, Level: string, Message: string, Pool: string) => ({
      TimeGenerated: new Date(t + dt).toISOString(),
      Level,
      Message,
      Component: 'agent',
      Pool,
      Instance: `${Pool}_1`,
      Properties: { n: dt },
    });
    cloud.planes.logAnalytics.ingest(customerId, LOG_TABLE, [
      row(1, 'info', 'ready', 'phi'),
      row(2, 'warn', "eviction notice: it's coming", 'phi'),
      row(3, 'error', 'drain failed', 'phi'),
      row(4, 'error', 'other pool', 'mix'),
    ]);
    const { ctx } = cloud.context();
    const r = await runLogs(ctx, { sinceSeconds: 600, pool: 'phi', level: 'warn', limit: 100 });
    expect(r.rows.map((x) => x.message)).toEqual(["eviction notice: it's coming", 'drain failed']);
    expect(r.rows[0]).toMatchObject({ level: 'warn', component: 'agent', pool: 'phi', instance: 'phi_1', properties: { n: 2 } });
    const g = await runLogs(ctx, { sinceSeconds: 600, grep: "it's", limit: 100 });
    expect(g.rows.map((x) => x.message)).toEqual(["eviction notice: it's coming"]);
  });

  it('--follow shows rows as they arrive, each once, and ends on Ctrl-C', async () => {
    const controller = new AbortController();
    const { ctx } = cloud.context({ signal: controller.signal });
    const seen: string[] = [];
    let polls = 0;
    const done = runLogs(ctx, {
      sinceSeconds: 5,
      pool: 'tail',
      limit: 100,
      follow: true,
      intervalMs: 50,
      overlapMs: 60_000,
      onRows: (rows) => {
        seen.push(...rows.map((x) => x.message));
        if (seen.length >= 3) controller.abort();
      },
    });
    const ingest = (m: string) =>
      cloud.planes.logAnalytics.ingest(customerId, LOG_TABLE, [
        { TimeGenerated: new Date().toISOString(), Level: 'info', Message: m, Component: 'agent', Pool: 'tail' },
      ]);
    ingest('one');
    // Rows arrive while the tail polls; each poll re-reads the overlap window.
    const timer = setInterval(() => (polls++ === 2 ? ingest('two') : polls === 4 ? ingest('three') : undefined), 60);
    try {
      await done;
    } finally {
      clearInterval(timer);
    }
    expect(seen).toEqual(['one', 'two', 'three']);
  });
});
