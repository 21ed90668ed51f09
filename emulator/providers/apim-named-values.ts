// API Management named values that reference Key Vault: the service fetches the secret with the
// identity the named value names (identityClientId, or the system identity) when the value is
// written, so the write fails while that identity cannot read the secret — including the minutes
// after a role assignment is created, before Azure RBAC has propagated it
// (https://learn.microsoft.com/azure/role-based-access-control/troubleshooting#symptom---role-assignment-changes-are-not-being-detected).
// The failure answers the PUT itself (400), so a caller that treats 400 as final gives up.
import type { EmulatorCore } from '../core/emulator-core.js';
import { ArmError } from '../core/errors.js';
import type { Json } from '../core/store.js';

/** Roles whose data actions include Microsoft.KeyVault/vaults/secrets/getSecret/action. */
const SECRET_READER_ROLES = [
  '4633458b-17de-408a-b874-0445c86b69e6', // Key Vault Secrets User
  'b86a8fe4-44ce-4948-aee5-eccb2c155cd7', // Key Vault Secrets Officer
  '00482a5a-887f-4fb3-b363-3b7fe8e74483', // Key Vault Administrator
];

/** How long a new role assignment stays invisible to API Management's fetch, locally (Azure: up to ~10 min). */
export const LOCAL_RBAC_PROPAGATION_MS = 400;

export function registerApimNamedValues(core: EmulatorCore, propagationMs = LOCAL_RBAC_PROPAGATION_MS): void {
  core.behaviors.register({
    type: 'Microsoft.ApiManagement/service/namedValues',
    patch: true,
    noProvisioningState: true,
    validate(ctx, doc) {
      const ref = doc.properties?.keyVault?.secretIdentifier as string | undefined;
      if (!ref) return;
      const service = core.store.get(ctx.id.slice(0, ctx.id.toLowerCase().indexOf('/namedvalues/')))?.doc;
      const principal = principalOf(core, service, doc.properties.keyVault.identityClientId);
      const secretId = secretResourceId(core, ref);
      const grant = principal && secretId ? readerAssignment(core, principal, secretId) : undefined;
      const visible = grant && Date.now() - Date.parse(grant.properties.createdOn ?? 0) >= propagationMs;
      if (!visible) {
        throw new ArmError(
          400,
          'ValidationError',
          `Key Vault secret '${ref}' could not be fetched with identity '${doc.properties.keyVault.identityClientId ?? 'SystemAssigned'}': ` +
            'Forbidden, the caller is not authorized to get the secret. If role assignments were changed recently, please observe propagation time.',
        );
      }
    },
  });
}

function principalOf(core: EmulatorCore, service: Json | undefined, clientId: string | undefined): string | undefined {
  if (!service) return undefined;
  if (!clientId) return service.identity?.principalId;
  const ua = Object.values((service.identity?.userAssignedIdentities ?? {}) as Record<string, Json>).find((i) => i?.clientId === clientId);
  if (ua?.principalId) return ua.principalId;
  return core.store
    .all()
    .find((r) => r.type.toLowerCase() === 'microsoft.managedidentity/userassignedidentities' && r.doc.properties?.clientId === clientId)
    ?.doc.properties.principalId;
}

/** https://<vault>.vault.azure.net/secrets/<name>[/<version>] (or the local host form) → the ARM id of the secret. */
function secretResourceId(core: EmulatorCore, ref: string): string | undefined {
  const u = new URL(ref);
  const vault = u.hostname.split('.')[0].toLowerCase();
  const name = u.pathname.split('/')[2];
  const v = core.store.all().find((r) => r.type.toLowerCase() === 'microsoft.keyvault/vaults' && r.doc.name.toLowerCase() === vault);
  return v && name ? `${v.doc.id}/secrets/${name}` : undefined;
}

function readerAssignment(core: EmulatorCore, principalId: string, secretId: string): Json | undefined {
  const target = secretId.toLowerCase();
  return core.store
    .all()
    .filter(
      (r) =>
        r.type.toLowerCase() === 'microsoft.authorization/roleassignments' &&
        r.doc.properties?.principalId === principalId &&
        SECRET_READER_ROLES.includes(String(r.doc.properties?.roleDefinitionId).split('/').pop() ?? '') &&
        (target === r.doc.properties.scope.toLowerCase() || target.startsWith(`${r.doc.properties.scope.toLowerCase()}/`)),
    )
    .map((r) => r.doc)
    .sort((a, b) => Date.parse(a.properties.createdOn) - Date.parse(b.properties.createdOn))[0];
}
