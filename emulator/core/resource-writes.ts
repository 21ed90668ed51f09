// PUT, PATCH, DELETE and POST actions on provider resources: the generic ARM semantics, with
// each type's ResourceBehavior consulted at the documented points and the answer shaped by the
// type's LRO style.
import type { ServerResponse } from 'node:http';
import type { OpContext, ResourceBehavior } from './behavior.js';
import { ArmError, parentNotFound, resourceGroupNotFound, resourceNotFound } from './errors.js';
import { buildDocument, fillIdentity, mergePatch } from './documents.js';
import { fullType, parentId } from './ids.js';
import type { Json } from './store.js';
import type { EmulatorCore } from './emulator-core.js';
import { send } from './http.js';

export function present(b: ResourceBehavior | undefined, doc: Json, query?: URLSearchParams): Json {
  return b?.present ? b.present(structuredClone(doc), query) : doc;
}

function setState(doc: Json, b: ResourceBehavior | undefined, state: string): void {
  if (!b?.noProvisioningState) doc.properties = { ...(doc.properties ?? {}), provisioningState: state };
}

/** Checks the resource group and, for child or extension resources, the parent. */
function requireParents(core: EmulatorCore, ctx: OpContext): void {
  const p = ctx.path;
  if (p.resourceGroup && !core.getResourceGroup(p.subscriptionId, p.resourceGroup)) throw resourceGroupNotFound(p.resourceGroup);
  if (p.types.length > 1) {
    const parent = parentId(ctx.id);
    if (parent && !core.store.get(parent))
      throw parentNotFound(`${`${p.namespace}/${p.types.slice(0, -1).join('/')}`.replace(/\/$/, '')}/${p.names.slice(0, -1).join('/')}`);
  }
  // Extension resource on a resource scope (e.g. a role assignment on a vault).
  if (/\/providers\//i.test(p.scope) && !core.store.get(p.scope)) {
    throw new ArmError(404, 'ResourceNotFound', `The Resource '${p.scope}' was not found.`);
  }
}

export async function putResource(core: EmulatorCore, ctx: OpContext, res: ServerResponse, body: Json, isPatch: boolean): Promise<void> {
  requireParents(core, ctx);
  const type = fullType(ctx.path);
  const b = core.behaviors.get(type);
  const stored = core.store.get(ctx.id);
  const existing = stored?.doc;
  const name = ctx.path.names[ctx.path.names.length - 1];
  if (isPatch && !existing) throw resourceNotFound(type, name, ctx.path.resourceGroup ?? '');
  if (existing && String(existing.properties?.provisioningState).toLowerCase() === 'deleting') {
    throw new ArmError(409, 'Conflict', `The resource '${name}' is being deleted; retry after the delete completes.`);
  }
  const input = isPatch && existing ? mergePatch(existing, body) : body;
  if (
    !existing &&
    ctx.path.types.length === 1 &&
    !/\/providers\//i.test(ctx.path.scope) &&
    !input.location &&
    type.toLowerCase() !== 'microsoft.authorization/roleassignments'
  ) {
    throw new ArmError(400, 'LocationRequired', 'The location property is required for this definition.');
  }
  await b?.validate?.(ctx, input, existing);
  const doc = buildDocument(existing?.id ?? ctx.id, existing?.name ?? name, existing?.type ?? type, input, existing, core.rng);
  fillIdentity(doc, core.rng, (id) => core.store.get(id)?.doc, existing);
  await b?.prepare?.(ctx, doc, existing);

  const style = b?.lro?.put ?? 'sync';
  const latency = style === 'sync' ? 0 : core.faults.latencyMs(type, 'put');
  const pending = existing ? 'Updating' : 'Creating';
  setState(doc, b, latency > 0 ? pending : 'Succeeded');
  core.store.put(doc, type, ctx.path.subscriptionId, ctx.path.resourceGroup);

  const provision = async (): Promise<Json> => {
    try {
      const injected = core.faults.takeOperationFailure(type);
      if (injected) throw injected;
      await b?.provision?.(ctx, doc, existing);
      await core.behaviors.run('provisioned', type, doc, core);
      setState(doc, b, 'Succeeded');
      return present(b, doc);
    } catch (err) {
      setState(doc, b, 'Failed');
      throw err;
    } finally {
      core.store.changed();
    }
  };

  const status = existing ? 200 : (b?.createdStatus ?? 201);
  if (style === 'sync') {
    // Synchronous types answer with the final state; a failed provision is the answer.
    await provision();
    return send(res, status, present(b, doc));
  }
  const op = await core.operations.start(ctx.path.namespace, doc.location ?? 'global', latency, provision);
  op.done.catch(() => undefined);
  const urls = core.lroHeaders(op, ctx, style === 'location' ? ['location'] : ['async']);
  if (style === 'location') return send(res, 202, undefined, urls);
  send(res, status, present(b, doc), urls);
}

export async function deleteResource(core: EmulatorCore, ctx: OpContext, res: ServerResponse): Promise<void> {
  const p = ctx.path;
  if (p.resourceGroup && !core.getResourceGroup(p.subscriptionId, p.resourceGroup)) throw resourceGroupNotFound(p.resourceGroup);
  const stored = core.store.get(ctx.id);
  if (!stored) return send(res, 204);
  const type = fullType(p);
  const b = core.behaviors.get(type);
  await b?.beforeDelete?.(ctx, stored.doc);
  const style = b?.lro?.delete ?? 'sync';
  const latency = style === 'sync' ? 0 : core.faults.latencyMs(type, 'del');
  if (style === 'sync') {
    await core.deleteInternal(stored.doc.id, ctx);
    return send(res, 200);
  }
  if (latency > 0) setState(stored.doc, b, 'Deleting');
  const op = await core.operations.start(p.namespace, stored.doc.location ?? 'global', latency, async () => {
    const injected = core.faults.takeOperationFailure(type);
    if (injected) {
      setState(stored.doc, b, 'Failed');
      throw injected;
    }
    await core.deleteInternal(stored.doc.id, ctx);
    return undefined;
  });
  op.done.catch(() => undefined);
  send(res, 202, undefined, core.lroHeaders(op, ctx, style === 'location' ? ['location'] : ['async', 'location']));
}

export async function postAction(core: EmulatorCore, ctx: OpContext, res: ServerResponse, body: Json): Promise<void> {
  requireParents(core, ctx);
  const type = fullType(ctx.path);
  const stored = core.store.get(ctx.id);
  if (!stored) throw resourceNotFound(type, ctx.path.names[ctx.path.names.length - 1], ctx.path.resourceGroup ?? '');
  const action = ctx.path.action;
  if (action === undefined) throw new Error(`postAction on ${ctx.id} without an action segment in the path`);
  const actions = core.behaviors.get(type)?.actions;
  const handler = actions?.[action] ?? actions?.[action.toLowerCase()];
  if (!handler)
    throw new ArmError(
      404,
      'NotFound',
      `No HTTP resource was found that matches the request URI for action '${ctx.path.action}' on '${type}'.`,
    );
  const result = await handler(ctx, stored.doc, body);
  if (!result.lro) {
    await result.work?.();
    return send(res, result.status ?? 200, result.body);
  }
  const op = await core.operations.start(
    ctx.path.namespace,
    stored.doc.location ?? 'global',
    core.faults.latencyMs(type, 'put'),
    async () => (await result.work?.()) ?? result.body,
  );
  op.done.catch(() => undefined);
  send(res, 202, undefined, core.lroHeaders(op, ctx, ['async', 'location']));
}
