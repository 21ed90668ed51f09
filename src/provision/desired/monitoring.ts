// Log Analytics, workspace-based Application Insights, the action group and the design's five
// alerts (function failures, response time, VM CPU, Cosmos throttling, log-based errors). The log
// pipeline into the workspace is log-pipeline.ts.
import type { DesiredResource } from '../types.js';
import { resource, trackedOwned, type GraphContext } from './context.js';

export function logging(ctx: GraphContext): DesiredResource[] {
  const { ids, config } = ctx;
  return [
    resource({
      id: ids.workspace,
      type: 'Microsoft.OperationalInsights/workspaces',
      label: 'log analytics',
      body: { location: config.location, tags: ctx.tags, properties: { sku: { name: 'PerGB2018' }, retentionInDays: 30 } },
      dependsOn: [ids.rg],
      owned: trackedOwned(ctx, 'properties.sku.name', 'properties.retentionInDays'),
    }),
    resource({
      id: ids.appInsights,
      type: 'Microsoft.Insights/components',
      label: 'app insights',
      body: {
        location: config.location,
        tags: ctx.tags,
        kind: 'web',
        // Workspace-based: classic (standalone) Application Insights is retired.
        properties: { Application_Type: 'web', WorkspaceResourceId: ids.workspace, IngestionMode: 'LogAnalytics' },
      },
      dependsOn: [ids.rg, ids.workspace],
      owned: trackedOwned(ctx, 'kind', 'properties.Application_Type', 'properties.WorkspaceResourceId'),
    }),
  ];
}

interface MetricAlert {
  name: string;
  description: string;
  severity: number;
  scopes: string[];
  targetType?: string;
  window: string;
  criterion: Record<string, unknown>;
}

export function alerts(ctx: GraphContext): DesiredResource[] {
  const { ids, config } = ctx;
  const a = config.alerts;
  const rgProvider = (name: string) => `${ids.rg}/providers/Microsoft.Insights/metricAlerts/${name}`;
  const group = resource({
    id: ids.actionGroup,
    type: 'Microsoft.Insights/actionGroups',
    label: 'action group',
    body: {
      location: 'global',
      tags: ctx.tags,
      properties: {
        groupShortName: `gpuarb${config.stack.replace(/-/g, '')}`.slice(0, 12),
        enabled: true,
        emailReceivers: a.email ? [{ name: 'operator', emailAddress: a.email, useCommonAlertSchema: true }] : [],
      },
    },
    dependsOn: [ids.rg],
    owned: trackedOwned(ctx, 'properties.groupShortName', 'properties.enabled', 'properties.emailReceivers'),
  });
  const pools = config.pools.map((p) => ids.vmss(p.name));
  const metric: MetricAlert[] = [
    {
      name: 'function-failures',
      description: `Gateway function failures above ${a.functionFailuresPerMinute} a minute`,
      severity: 1,
      scopes: [ids.appInsights],
      window: 'PT1M',
      criterion: {
        metricName: 'requests/failed',
        metricNamespace: 'microsoft.insights/components',
        operator: 'GreaterThan',
        threshold: a.functionFailuresPerMinute,
        timeAggregation: 'Count',
      },
    },
    {
      name: 'response-time',
      description: `Gateway average response time above ${a.responseTimeSeconds} s`,
      severity: 2,
      scopes: [ids.appInsights],
      window: 'PT5M',
      criterion: {
        metricName: 'requests/duration',
        metricNamespace: 'microsoft.insights/components',
        operator: 'GreaterThan',
        threshold: a.responseTimeSeconds * 1000,
        timeAggregation: 'Average',
      },
    },
    {
      name: 'vm-cpu',
      description: `GPU pool VM CPU above ${a.cpuPercent}%`,
      severity: 3,
      scopes: pools,
      targetType: 'Microsoft.Compute/virtualMachineScaleSets',
      window: 'PT5M',
      criterion: {
        metricName: 'Percentage CPU',
        metricNamespace: 'Microsoft.Compute/virtualMachineScaleSets',
        operator: 'GreaterThan',
        threshold: a.cpuPercent,
        timeAggregation: 'Average',
      },
    },
    {
      name: 'cosmos-throttling',
      description: 'Cosmos DB requests throttled (HTTP 429)',
      severity: 2,
      scopes: [ids.cosmos],
      window: 'PT5M',
      criterion: {
        metricName: 'TotalRequests',
        metricNamespace: 'Microsoft.DocumentDB/databaseAccounts',
        operator: 'GreaterThan',
        threshold: 0,
        timeAggregation: 'Count',
        dimensions: [{ name: 'StatusCode', operator: 'Include', values: ['429'] }],
      },
    },
  ];
  const metricAlerts = metric.map((m) =>
    resource({
      id: rgProvider(m.name),
      type: 'Microsoft.Insights/metricAlerts',
      label: `alert/${m.name}`,
      body: {
        location: 'global',
        tags: ctx.tags,
        properties: {
          description: m.description,
          severity: m.severity,
          enabled: true,
          scopes: m.scopes,
          evaluationFrequency: 'PT1M',
          windowSize: m.window,
          // Several scale sets in one alert need the multi-resource criteria type and region.
          ...(m.targetType ? { targetResourceType: m.targetType, targetResourceRegion: config.location } : {}),
          criteria: {
            'odata.type': m.targetType
              ? 'Microsoft.Azure.Monitor.MultipleResourceMultipleMetricCriteria'
              : 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria',
            allOf: [{ name: 'c1', criterionType: 'StaticThresholdCriterion', ...m.criterion }],
          },
          actions: [{ actionGroupId: ids.actionGroup }],
        },
      },
      dependsOn: [ids.actionGroup, ...m.scopes],
      owned: trackedOwned(ctx, 'properties'),
    }),
  );
  const logAlert = resource({
    id: `${ids.rg}/providers/Microsoft.Insights/scheduledQueryRules/log-errors`,
    type: 'Microsoft.Insights/scheduledQueryRules',
    label: 'alert/log-errors',
    body: {
      location: config.location,
      tags: ctx.tags,
      kind: 'LogAlert',
      properties: {
        displayName: 'gpuarb errors in logs',
        description: 'Exceptions or error-level traces from the gateway or agents',
        severity: 2,
        enabled: true,
        scopes: [ids.workspace],
        evaluationFrequency: 'PT5M',
        windowSize: 'PT5M',
        criteria: {
          allOf: [
            {
              query: 'union AppExceptions, (AppTraces | where SeverityLevel >= 3) | summarize ErrorCount = count()',
              timeAggregation: 'Total',
              metricMeasureColumn: 'ErrorCount',
              operator: 'GreaterThan',
              threshold: 0,
              failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 },
            },
          ],
        },
        actions: { actionGroups: [ids.actionGroup] },
      },
    },
    dependsOn: [ids.actionGroup, ids.workspace, ids.appInsights],
    owned: trackedOwned(ctx, 'kind', 'properties'),
  });
  return [group, ...metricAlerts, logAlert];
}
