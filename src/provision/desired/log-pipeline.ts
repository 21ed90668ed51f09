// The log pipeline into the workspace: the gpuarb table, a data collection endpoint and the rule
// the writers post through (Logs Ingestion API). Azure Monitor has none of it implicitly.
import { LOG_STREAM, LOG_TABLE, LOG_TABLE_COLUMNS } from '../../../contracts/log-schema.js';
import type { DesiredResource } from '../types.js';
import { resource, trackedOwned, type GraphContext } from './context.js';

/** Ids of the log pipeline: Azure Monitor has none implicitly, so the stack creates all three. */
export function logPipelineIds(ctx: GraphContext): { table: string; endpoint: string; rule: string } {
  const insights = `${ctx.ids.rg}/providers/Microsoft.Insights`;
  return {
    table: `${ctx.ids.workspace}/tables/${LOG_TABLE}`,
    endpoint: `${insights}/dataCollectionEndpoints/dce-${ctx.config.stack}`,
    rule: `${insights}/dataCollectionRules/dcr-${ctx.config.stack}-logs`,
  };
}

/**
 * The custom table (created, as every `_CL` table must be), a data collection endpoint and the
 * rule that declares the gpuarb stream and routes it to the table: the only path by which rows
 * arrive (Logs Ingestion API). Writers get Monitoring Metrics Publisher on the rule (roles.ts).
 */
export function logPipeline(ctx: GraphContext): DesiredResource[] {
  const { ids, config } = ctx;
  const pipe = logPipelineIds(ctx);
  const destination = 'workspace';
  return [
    resource({
      id: pipe.table,
      type: 'Microsoft.OperationalInsights/workspaces/tables',
      label: 'log table',
      body: { properties: { schema: { name: LOG_TABLE, columns: LOG_TABLE_COLUMNS.map((c) => ({ ...c })) }, retentionInDays: 30 } },
      dependsOn: [ids.workspace],
      owned: ['properties.schema.columns', 'properties.retentionInDays'],
    }),
    resource({
      id: pipe.endpoint,
      type: 'Microsoft.Insights/dataCollectionEndpoints',
      label: 'data collection endpoint',
      body: { location: config.location, tags: ctx.tags, properties: { networkAcls: { publicNetworkAccess: 'Enabled' } } },
      dependsOn: [ids.rg],
      owned: trackedOwned(ctx, 'properties.networkAcls'),
    }),
    resource({
      id: pipe.rule,
      type: 'Microsoft.Insights/dataCollectionRules',
      label: 'data collection rule',
      body: {
        location: config.location,
        tags: ctx.tags,
        properties: {
          dataCollectionEndpointId: pipe.endpoint,
          // Stream declarations spell the datetime type in lower case (the tables API: dateTime).
          streamDeclarations: { [LOG_STREAM]: { columns: LOG_TABLE_COLUMNS.map((c) => ({ name: c.name, type: c.type.toLowerCase() })) } },
          destinations: { logAnalytics: [{ name: destination, workspaceResourceId: ids.workspace }] },
          dataFlows: [{ streams: [LOG_STREAM], destinations: [destination], transformKql: 'source', outputStream: LOG_STREAM }],
        },
      },
      dependsOn: [ids.workspace, pipe.table, pipe.endpoint],
      owned: trackedOwned(
        ctx,
        'properties.dataCollectionEndpointId',
        'properties.streamDeclarations',
        'properties.destinations',
        'properties.dataFlows',
      ),
    }),
  ];
}
