// Subscriptions and resource groups (Microsoft.Resources): RG create is synchronous, delete is
// a 202 + Location operation that removes everything in the group, as ARM does.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ArmError, resourceGroupNotFound } from './errors.js';
import type { EmulatorCore } from './emulator-core.js';
import { buildDocument, mergePatch, TENANT_ID } from './documents.js';
import { readJson, send } from './http.js';
import { applyFilter, sendPage } from './lists.js';
import type { Json } from './store.js';

const RG_TYPE = 'Microsoft.Resources/resourceGroups';
const RG_NAME = /^[-\w._()\p{L}]{1,90}$/u;

export function subscriptionDoc(core: EmulatorCore): Record<string, unknown> {
  return {
    id: `/subscriptions/${core.subscriptionId}`,
    subscriptionId: core.subscriptionId,
    tenantId: TENANT_ID,
    displayName: 'gpuarb local cloud',
    state: 'Enabled',
    subscriptionPolicies: { locationPlacementId: 'Public_2014-09-01', quotaId: 'PayAsYouGo_2014-09-01', spendingLimit: 'Off' },
    authorizationSource: 'RoleBased',
  };
}

function present(doc: Json): Json {
  // RGs carry no etag/systemData on the wire.
  const { etag: _e, systemData: _s, ...rest } = doc;
  return rest;
}

export async function handleResourceGroup(
  core: EmulatorCore,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  sub: string,
  rg: string,
  apiVersion: string,
): Promise<void> {
  const id = core.rgId(sub, rg);
  const existing = core.store.get(id)?.doc;
  switch (req.method) {
    case 'HEAD':
      return send(res, existing ? 204 : 404);
    case 'GET':
      if (!existing) throw resourceGroupNotFound(rg);
      return send(res, 200, present(existing));
    case 'PUT':
    case 'PATCH': {
      const body = await readJson(req);
      if (req.method === 'PATCH' && !existing) throw resourceGroupNotFound(rg);
      if (!RG_NAME.test(rg) || rg.endsWith('.')) {
        throw new ArmError(
          400,
          'InvalidResourceGroup',
          `The provided resource group name '${rg}' has these invalid characters. The name ` +
            `can only be a letter, digit, '-', '.', '_', '(', ')' or a unicode character categorized ` +
            `as letter or digit, cannot end with '.' and must be 1-90 characters.`,
        );
      }
      const input = req.method === 'PATCH' && existing ? mergePatch(existing, body) : body;
      if (!input.location) throw new ArmError(400, 'LocationRequired', 'The location property is required for this definition.');
      if (existing && String(existing.location).toLowerCase() !== String(input.location).toLowerCase()) {
        throw new ArmError(
          409,
          'InvalidResourceGroupLocation',
          `Invalid resource group location '${input.location}'. The Resource group already exists in location '${existing.location}'.`,
        );
      }
      const doc = buildDocument(existing?.id ?? id, existing?.name ?? rg, RG_TYPE, input, existing, core.rng);
      doc.properties = { provisioningState: 'Succeeded' };
      core.store.put(doc, RG_TYPE, sub, rg);
      return send(res, existing ? 200 : 201, present(doc));
    }
    case 'DELETE': {
      if (!existing) throw resourceGroupNotFound(rg);
      const latency = core.faults.latencyMs(RG_TYPE, 'del');
      if (latency > 0) existing.properties.provisioningState = 'Deleting';
      const ctx = {
        core,
        id,
        path: {
          subscriptionId: sub,
          resourceGroup: rg,
          namespace: 'Microsoft.Resources',
          types: ['resourceGroups'],
          names: [rg],
          scope: id,
        },
        method: 'DELETE',
        apiVersion,
        query: url.searchParams,
      };
      const op = await core.operations.start('Microsoft.Resources', existing.location, latency, async () => {
        const injected = core.faults.takeOperationFailure(RG_TYPE);
        if (injected) {
          existing.properties.provisioningState = 'Succeeded';
          throw injected;
        }
        await core.deleteInternal(id);
        return undefined;
      });
      op.done.catch(() => undefined);
      return send(res, 202, undefined, core.lroHeaders(op, ctx, ['location']));
    }
    default:
      throw new ArmError(405, 'MethodNotAllowed', `The requested resource does not support http method '${req.method}'.`);
  }
}

export function listResourceGroups(core: EmulatorCore, res: ServerResponse, url: URL): void {
  const items = core.store
    .all()
    .filter((r) => r.type === RG_TYPE)
    .map((r) => present(r.doc));
  sendPage(core, res, url, applyFilter(items, url.searchParams.get('$filter')));
}

/** GET /subscriptions/{s}/resources and /resourceGroups/{rg}/resources (generic resources). */
export function listGenericResources(core: EmulatorCore, res: ServerResponse, url: URL, sub: string, rg?: string): void {
  if (rg && !core.getResourceGroup(sub, rg)) throw resourceGroupNotFound(rg);
  const prefix = rg ? core.rgId(sub, rg) : `/subscriptions/${sub}`;
  // Top-level tracked resources only: ARM's generic list does not include child resources.
  const items = core.store
    .all()
    .filter((r) => r.type !== RG_TYPE && r.type.split('/').length === 2 && r.doc.id.toLowerCase().startsWith(`${prefix.toLowerCase()}/`))
    .map((r) => {
      const { properties: _p, systemData: _s, etag: _e, ...rest } = r.doc;
      return rest;
    });
  sendPage(core, res, url, applyFilter(items, url.searchParams.get('$filter')));
}
