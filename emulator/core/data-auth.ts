// One data-plane authoriser per local cloud, shared by every data plane (Key Vault, Log Analytics,
// the Storage and Cosmos fronts, Logs Ingestion): it verifies the token the local cloud issued,
// names the principal, and applies the role assignments in the store (data-rbac.ts). Registered
// as the core service `dataAuth`, so a data plane mounted later reaches it the same way.
import type { AccessDecision, AccessRequest } from '../dataplanes/deps.js';
import type { EmulatorCore } from './emulator-core.js';
import { allowedAction, allowedCosmosAction, allowedDataAction, type RbacSettings } from './data-rbac.js';
import { type Principal, principalFromToken } from './entra-tokens.js';

/** Control-plane actions a data plane checks (Azure grants them through `actions`, e.g. Reader). */
const CONTROL_PLANE_ACTIONS = new Set(['microsoft.operationalinsights/workspaces/query/read']);

export interface DataAuth {
  readonly settings: RbacSettings;
  /** The principal of a bearer token the local cloud issued, or undefined (answer 401). */
  principal(token: string): Principal | undefined;
  /** Azure RBAC: the data action on `scope` (an ARM id or below one, e.g. a vault's secret). */
  allowed(principal: Principal, scope: string, dataAction: string): boolean;
  /** A control-plane action (`actions` of a role; the operator is Owner of the subscription). */
  allowedControl(principal: Principal, scope: string, action: string): boolean;
  /** Cosmos DB SQL RBAC on `<accountId>[/dbs/<db>[/colls/<container>]]`. */
  allowedCosmos(principal: Principal, accountId: string, resource: string, dataAction: string): boolean;
  /** The data planes' Authorizer contract (dataplanes/deps.ts). */
  authorize(request: AccessRequest): AccessDecision;
}

export function createDataAuth(core: EmulatorCore, operator: { oid: string; signingKey: Buffer }, propagationMs = 0): DataAuth {
  const settings: RbacSettings = { propagationMs };
  const auth: DataAuth = {
    settings,
    principal: (token) => principalFromToken(token, operator.signingKey),
    allowed: (p, scope, action) => allowedDataAction(core.store, p, scope, action, settings),
    allowedControl: (p, scope, action) => allowedAction(core.store, p, scope, action, operator.oid, settings),
    allowedCosmos: (p, account, resource, action) => allowedCosmosAction(core.store, p, account, resource, action, settings),
    authorize(r) {
      const p = auth.principal(r.token);
      if (!p) return 'unauthenticated';
      const scope = r.scope ?? r.resourceId;
      if (!scope) return 'allowed';
      if (CONTROL_PLANE_ACTIONS.has(r.dataAction.toLowerCase()))
        return auth.allowedControl(p, scope, r.dataAction) ? 'allowed' : 'forbidden';
      return auth.allowed(p, scope, r.dataAction) ? 'allowed' : 'forbidden';
    },
  };
  core.registerService('dataAuth', auth);
  return auth;
}
