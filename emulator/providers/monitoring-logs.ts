// The log pipeline's ARM resources, as Azure Monitor validates them: a workspace table (custom
// tables end in `_CL` and exist only once created), a data collection endpoint, and a data
// collection rule whose stream declarations, destinations and data flows must agree, and whose
// output tables must already exist (`InvalidOutputTable`). The Logs Ingestion data plane
// (dataplanes/logs-ingestion.ts) reads these documents to route and refuse rows.
import type { EmulatorCore } from '../core/emulator-core.js';
import { ArmError, type ArmErrorBody } from '../core/errors.js';
import type { Json, Store } from '../core/store.js';

export const TABLE_TYPE = 'Microsoft.OperationalInsights/workspaces/tables';
export const DCE_TYPE = 'Microsoft.Insights/dataCollectionEndpoints';
export const DCR_TYPE = 'Microsoft.Insights/dataCollectionRules';

const COLUMN_TYPES = ['string', 'int', 'long', 'real', 'boolean', 'dateTime', 'guid', 'dynamic'];
const CUSTOM_TABLE = /^[A-Za-z][A-Za-z0-9_]{0,59}_CL$/;

const invalidPayload = (details: ArmErrorBody[]): ArmError =>
  new ArmError(400, 'InvalidPayload', 'Data collection rule is invalid', details);

export function registerMonitoringLogs(core: EmulatorCore): void {
  core.behaviors.register({
    type: TABLE_TYPE,
    lro: { put: 'async-op', delete: 'async-op' },
    patch: true,
    validate(ctx, body) {
      const name = ctx.path.names[1];
      const schema = body.properties?.schema ?? {};
      if (!CUSTOM_TABLE.test(name))
        throw new ArmError(
          400,
          'InvalidParameter',
          `Table name '${name}' is not valid: a custom table name must start with a letter, hold only letters, digits and '_', and end with '_CL'.`,
        );
      if (schema.name !== undefined && schema.name !== name)
        throw new ArmError(400, 'InvalidParameter', `Schema name '${schema.name}' must match the table name '${name}'.`);
      const columns: Json[] = Array.isArray(schema.columns) ? schema.columns : [];
      const time = columns.find((c) => c.name === 'TimeGenerated');
      if (time?.type !== 'dateTime')
        throw new ArmError(400, 'InvalidParameter', `Table '${name}' must have a 'TimeGenerated' column of type 'dateTime'.`);
      for (const c of columns)
        if (!COLUMN_TYPES.includes(c.type))
          throw new ArmError(
            400,
            'InvalidParameter',
            `Column '${c.name}' of table '${name}' has type '${c.type}'; valid types: ${COLUMN_TYPES.join(', ')}.`,
          );
    },
    prepare(ctx, doc) {
      doc.properties.schema = {
        ...doc.properties.schema,
        name: ctx.path.names[1],
        tableType: 'CustomLog',
        tableSubType: 'DataCollectionRuleBased',
      };
      doc.properties.plan ??= 'Analytics';
      doc.properties.retentionInDays ??= 30;
    },
  });

  core.behaviors.register({
    type: DCE_TYPE,
    patch: true,
    prepare(ctx, doc, existing) {
      // Azure's host is `{name}-{suffix}.{region}-1.ingest.monitor.azure.com`; here the emulator's
      // own origin serves the Logs Ingestion API, under a path that keeps endpoints apart.
      doc.properties.immutableId = existing?.properties?.immutableId ?? `dce-${ctx.core.rng.uuid().replace(/-/g, '')}`;
      doc.properties.logsIngestion = { endpoint: `${ctx.core.endpoint()}/logs-ingestion/${doc.name.toLowerCase()}` };
      doc.properties.configurationAccess = { endpoint: `${ctx.core.endpoint()}/logs-ingestion/${doc.name.toLowerCase()}/config` };
    },
  });

  core.behaviors.register({
    type: DCR_TYPE,
    patch: true,
    validate(ctx, body) {
      const p = body.properties ?? {};
      if (p.dataCollectionEndpointId && !ctx.core.store.get(p.dataCollectionEndpointId))
        throw invalidPayload([
          {
            code: 'InvalidDataCollectionEndpoint',
            target: 'properties.dataCollectionEndpointId',
            message: `Data collection endpoint '${p.dataCollectionEndpointId}' does not exist.`,
          },
        ]);
      const declared = Object.keys(p.streamDeclarations ?? {});
      const details: ArmErrorBody[] = [];
      for (const name of declared)
        if (!name.startsWith('Custom-'))
          details.push({
            code: 'InvalidStreamDeclaration',
            target: `properties.streamDeclarations.${name}`,
            message: `Stream declaration '${name}' must start with 'Custom-'.`,
          });
      const destinations = new Map<string, string>();
      for (const d of p.destinations?.logAnalytics ?? []) destinations.set(d.name, d.workspaceResourceId);
      (p.dataFlows ?? []).forEach((flow: Json, i: number) => {
        const target = `properties.dataFlows[${i}]`;
        for (const s of flow.streams ?? [])
          if (s.startsWith('Custom-') && !declared.includes(s))
            details.push({ code: 'InvalidStream', target, message: `'Streams' stream '${s}' must be declared in 'streamDeclarations'.` });
        for (const dest of flow.destinations ?? []) {
          const workspaceId = destinations.get(dest);
          if (workspaceId === undefined) {
            details.push({ code: 'InvalidDestination', target, message: `Destination '${dest}' is not defined in 'destinations'.` });
            continue;
          }
          const output: string = flow.outputStream ?? flow.streams?.[0] ?? '';
          const table = output.replace(/^Custom-/, '');
          const exists = ctx.core.store.get(`${workspaceId}/tables/${table}`) !== undefined;
          if (!ctx.core.store.get(workspaceId) || !exists)
            details.push({
              code: 'InvalidOutputTable',
              target,
              message: `Table for output stream '${output}' is not available for destination '${dest}'.`,
            });
        }
      });
      if (details.length) throw invalidPayload(details);
    },
    prepare(ctx, doc, existing) {
      doc.properties.immutableId = existing?.properties?.immutableId ?? `dcr-${ctx.core.rng.uuid().replace(/-/g, '')}`;
    },
  });
}

/** The rule with this immutable id, from the ARM store. */
export function findRule(core: { store: Store }, immutableId: string): Json | undefined {
  return core.store.all().find((r) => r.type.toLowerCase() === DCR_TYPE.toLowerCase() && r.doc.properties?.immutableId === immutableId)
    ?.doc;
}

/** Monitoring Metrics Publisher: the built-in role holding `Microsoft.Insights/Telemetry/Write`. */
export const MONITORING_METRICS_PUBLISHER = '3913510d-42f4-4e42-8a64-420c390055eb';

/**
 * Whether `principalId` holds Monitoring Metrics Publisher on `scope` or a scope above it, from
 * the role assignments written through ARM. A local check until one data-plane RBAC serves all.
 */
export function holdsPublisherRole(store: Store, principalId: string, scope: string): boolean {
  const target = scope.toLowerCase();
  return store.all().some((r) => {
    if (r.type.toLowerCase() !== 'microsoft.authorization/roleassignments') return false;
    const p = r.doc.properties ?? {};
    const at = String(p.scope ?? '').toLowerCase();
    return (
      p.principalId === principalId &&
      String(p.roleDefinitionId ?? '')
        .toLowerCase()
        .endsWith(`/${MONITORING_METRICS_PUBLISHER}`) &&
      (target === at || target.startsWith(`${at}/`))
    );
  });
}

const customerIdOf = (store: Store, workspaceResourceId: string): string | undefined =>
  store.get(workspaceResourceId)?.doc.properties?.customerId;

/** The Log Analytics data plane's view of the pipeline's ARM resources. */
export function logPipelineView(store: Store) {
  const workspaceByCustomerId = (customerId: string) =>
    store
      .all()
      .find((r) => r.type.toLowerCase() === 'microsoft.operationalinsights/workspaces' && r.doc.properties?.customerId === customerId)?.doc;
  return {
    tableSchema(customerId: string, table: string): { name: string; type: string }[] | undefined {
      const ws = workspaceByCustomerId(customerId);
      return ws ? store.get(`${ws.id}/tables/${table}`)?.doc.properties?.schema?.columns : undefined;
    },
    rule(immutableId: string) {
      const doc = findRule({ store }, immutableId);
      if (!doc) return undefined;
      const p = doc.properties ?? {};
      const workspaces = new Map<string, string>((p.destinations?.logAnalytics ?? []).map((d: Json) => [d.name, d.workspaceResourceId]));
      return {
        id: doc.id as string,
        streams: Object.fromEntries(Object.entries(p.streamDeclarations ?? {}).map(([k, v]) => [k, (v as Json).columns ?? []])),
        flows: (p.dataFlows ?? []).flatMap((f: Json) =>
          (f.destinations ?? []).map((d: string) => ({
            streams: f.streams ?? [],
            workspaceId: customerIdOf(store, workspaces.get(d) ?? ''),
            table: String(f.outputStream ?? f.streams?.[0] ?? '').replace(/^Custom-/, ''),
          })),
        ),
      };
    },
    mayIngest: (principalId: string, ruleId: string) => holdsPublisherRole(store, principalId, ruleId),
  };
}
