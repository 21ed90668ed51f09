// The plainer families: networking, managed identities, role assignments and monitoring
// (Log Analytics, Application Insights, action groups, alerts, autoscale).
import type { EmulatorCore } from '../core/emulator-core.js';
import { ArmError } from '../core/errors.js';
import { TENANT_ID } from '../core/documents.js';
import { validateSubnetNatGateways } from './network-outbound.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function registerNetworkIdentityMonitoring(core: EmulatorCore): void {
  const net = { lro: { put: 'async-op', delete: 'async-op' }, patch: true } as const;
  core.behaviors.register({
    type: 'Microsoft.Network/virtualNetworks',
    ...net,
    validate: (ctx, body) => validateSubnetNatGateways(ctx.core, ctx.id, body.properties?.subnets ?? []),
    prepare(ctx, doc) {
      doc.properties.resourceGuid ??= ctx.core.rng.uuid();
      for (const s of doc.properties.subnets ?? []) {
        s.id = `${doc.id}/subnets/${s.name}`;
        s.type = 'Microsoft.Network/virtualNetworks/subnets';
        s.properties = { ...s.properties, provisioningState: 'Succeeded' };
      }
    },
  });
  core.behaviors.register({
    type: 'Microsoft.Network/virtualNetworks/subnets',
    ...net,
    validate: (ctx, body) => validateSubnetNatGateways(ctx.core, ctx.id, [body]),
  });
  core.behaviors.register({
    type: 'Microsoft.Network/networkSecurityGroups',
    ...net,
    prepare: (ctx, doc) => {
      doc.properties.resourceGuid ??= ctx.core.rng.uuid();
    },
  });

  core.behaviors.register({
    type: 'Microsoft.ManagedIdentity/userAssignedIdentities',
    patch: true,
    noProvisioningState: true,
    prepare(ctx, doc, existing) {
      doc.properties = {
        tenantId: TENANT_ID,
        principalId: existing?.properties?.principalId ?? ctx.core.rng.uuid(),
        clientId: existing?.properties?.clientId ?? ctx.core.rng.uuid(),
      };
    },
  });

  core.behaviors.register({
    type: 'Microsoft.Authorization/roleAssignments',
    noProvisioningState: true,
    validate(ctx, body, existing) {
      const name = ctx.path.names[0];
      if (!GUID.test(name))
        throw new ArmError(
          400,
          'InvalidRoleAssignmentId',
          `The role assignment ID '${name}' is not valid. The role assignment ID must be a GUID.`,
        );
      const p = body.properties ?? {};
      if (!p.principalId || !p.roleDefinitionId)
        throw new ArmError(
          400,
          'InvalidCreateRoleAssignmentRequest',
          'The request to create role assignment is invalid: principalId and roleDefinitionId are required.',
        );
      if (!/\/providers\/Microsoft\.Authorization\/roleDefinitions\/[0-9a-f-]{36}$/i.test(p.roleDefinitionId))
        throw new ArmError(400, 'InvalidRoleDefinitionId', `The role definition ID '${p.roleDefinitionId}' is not valid.`);
      if (existing && (existing.properties.principalId !== p.principalId || existing.properties.roleDefinitionId !== p.roleDefinitionId)) {
        throw new ArmError(
          400,
          'RoleAssignmentUpdateNotPermitted',
          'Tenant ID, application ID, principal ID, and scope are not allowed to be updated.',
        );
      }
      const dup = ctx.core.store
        .all()
        .find(
          (r) =>
            r.type.toLowerCase() === 'microsoft.authorization/roleassignments' &&
            r.doc.id.toLowerCase() !== ctx.id.toLowerCase() &&
            r.doc.properties.scope?.toLowerCase() === ctx.path.scope.toLowerCase() &&
            r.doc.properties.principalId === p.principalId &&
            r.doc.properties.roleDefinitionId.split('/').pop() === p.roleDefinitionId.split('/').pop(),
        );
      if (dup) throw new ArmError(409, 'RoleAssignmentExists', 'The role assignment already exists.');
    },
    prepare(ctx, doc) {
      doc.properties.scope = ctx.path.scope;
      doc.properties.principalType ??= 'ServicePrincipal';
      doc.properties.createdOn ??= new Date().toISOString();
    },
  });

  core.behaviors.register({
    type: 'Microsoft.OperationalInsights/workspaces',
    lro: { put: 'sync', delete: 'async-op' },
    patch: true,
    prepare(ctx, doc, existing) {
      doc.properties.customerId = existing?.properties?.customerId ?? ctx.core.rng.uuid();
      doc.properties.retentionInDays ??= 30;
      doc.properties.sku ??= { name: 'PerGB2018' };
    },
  });
  core.behaviors.register({
    type: 'Microsoft.Insights/components',
    patch: true,
    validate(_ctx, body) {
      if (!body.kind) throw new ArmError(400, 'BadRequest', "The 'kind' property is required.");
    },
    prepare(ctx, doc, existing) {
      doc.properties.AppId = existing?.properties?.AppId ?? ctx.core.rng.uuid();
      doc.properties.InstrumentationKey = existing?.properties?.InstrumentationKey ?? ctx.core.rng.uuid();
      doc.properties.ConnectionString =
        `InstrumentationKey=${doc.properties.InstrumentationKey};` +
        `IngestionEndpoint=https://${doc.location}.in.applicationinsights.azure.com/`;
    },
  });
  core.behaviors.register({ type: 'Microsoft.Insights/actionGroups', patch: true, noProvisioningState: true });
  core.behaviors.register({
    type: 'Microsoft.Insights/metricAlerts',
    patch: true,
    noProvisioningState: true,
    validate(_ctx, body) {
      const p = body.properties ?? {};
      if (!p.criteria || !Array.isArray(p.scopes) || p.scopes.length === 0)
        throw new ArmError(400, 'BadRequest', 'Metric alert requires scopes and criteria.');
      if (!p.evaluationFrequency || !p.windowSize)
        throw new ArmError(400, 'BadRequest', 'Metric alert requires evaluationFrequency and windowSize.');
    },
  });
  core.behaviors.register({ type: 'Microsoft.Insights/scheduledQueryRules', patch: true, noProvisioningState: true });
  core.behaviors.register({
    type: 'Microsoft.Insights/autoscalesettings',
    patch: true,
    noProvisioningState: true,
    validate(ctx, body) {
      const p = body.properties ?? {};
      if (!p.targetResourceUri) throw new ArmError(400, 'BadRequest', "The 'targetResourceUri' property is required.");
      if (!ctx.core.store.get(p.targetResourceUri))
        throw new ArmError(400, 'TargetResourceNotFound', `The target resource id '${p.targetResourceUri}' was not found.`);
      for (const prof of p.profiles ?? []) {
        const c = prof.capacity ?? {};
        if (!(Number(c.minimum) <= Number(c.default) && Number(c.default) <= Number(c.maximum))) {
          throw new ArmError(
            400,
            'UnsupportedRequestContent',
            `The capacity of profile '${prof.name}' must satisfy minimum <= default <= maximum.`,
          );
        }
      }
    },
  });
}
