// Plan: read current state (GET each desired resource; 404 → create), diff only owned fields,
// and find deletes — resources tagged with the stack that are no longer desired (listed by
// resource group + tag filter: Resource Graph is not available on the local cloud).
import type { ArmClient } from '../azure/arm-client.js';
import { API_VERSIONS, typeOfId, apiVersionFor } from './api-versions.js';
import { diffOwned, type FieldChange } from './diff.js';
import { idKey } from './graph.js';
import { getPath } from './paths.js';
import { lookupFrom, resolveRefs } from './refs.js';
import { type CodeDeployment, TAG_CODE_HASH, TAG_STACK, type DesiredGraph, type DesiredResource } from './types.js';
import { limiter } from './concurrency.js';

export type Action = 'create' | 'update' | 'delete' | 'deploy';

export interface PlannedChange {
  id: string;
  type: string;
  label: string;
  action: Action;
  /** Field-level changes for `update` (and the code hash for `deploy`). */
  fields?: FieldChange[];
}

export interface Plan {
  stack: string;
  resourceGroupId: string;
  changes: PlannedChange[];
  unchanged: number;
  /** Current ARM state per id key, for apply (resolving refs without re-reading). */
  current: Map<string, unknown>;
}

/** Reads ARM and computes the plan. `signal` aborts the reads. */
export async function computePlan(
  graph: DesiredGraph,
  arm: ArmClient,
  opts: { signal?: AbortSignal; concurrency?: number } = {},
): Promise<Plan> {
  const current = new Map<string, unknown>();
  const rg = graph.resources.find((r) => idKey(r.id) === idKey(graph.resourceGroupId));
  const rgState = await arm.get(graph.resourceGroupId, apiVersionFor('Microsoft.Resources/resourceGroups'), opts.signal);
  if (rgState) current.set(idKey(graph.resourceGroupId), rgState);
  // Without the group nothing inside it exists: no need to read (up from nothing = one GET).
  const toRead = rgState ? graph.resources.filter((r) => r !== rg && !r.deploy) : [];
  const run = limiter(opts.concurrency ?? 8);
  const exists = new Map<string, Promise<boolean>>();
  for (const r of toRead) {
    // A child of a missing parent is missing too: wait for the parents' reads and skip the GET.
    const parents = toRead.filter((p) => p !== r && idKey(r.id).startsWith(`${idKey(p.id)}/`));
    exists.set(
      idKey(r.id),
      (async () => {
        for (const p of parents) if (!(await exists.get(idKey(p.id)))) return false;
        const state = await run(() => arm.get(r.id, r.apiVersion, opts.signal));
        if (state !== undefined) current.set(idKey(r.id), state);
        return state !== undefined;
      })(),
    );
  }
  await Promise.all(exists.values());
  const lookup = lookupFrom(current);
  const changes: PlannedChange[] = [];
  let unchanged = 0;
  for (const r of graph.resources) {
    const state = current.get(idKey(r.id));
    const c = r.deploy ? planDeploy(r, r.deploy, current) : planOne(r, state, lookup);
    if (c) changes.push(c);
    else unchanged++;
  }
  if (rgState) changes.push(...(await planDeletes(graph, arm, opts.signal)));
  return { stack: graph.stack, resourceGroupId: graph.resourceGroupId, changes, unchanged, current };
}

function planOne(r: DesiredResource, state: unknown, lookup: (id: string) => unknown): PlannedChange | undefined {
  const base = { id: r.id, type: r.type, label: r.label };
  if (state === undefined) return { ...base, action: 'create' };
  // Secrets are create-only here: their values are rotated by `gpuarb rotate`, never by up.
  if (r.secret) return undefined;
  const desired = resolveRefs(r.body, lookup);
  const fields = diffOwned(desired, state, r.owned, r.createOnly);
  // A resource whose last operation failed (e.g. allocation) is written again even if its
  // model matches: the PUT is what makes ARM retry it.
  const provisioning = getPath(state, 'properties.provisioningState');
  if (typeof provisioning === 'string' && /^(failed|canceled)$/i.test(provisioning)) {
    fields.push({ path: 'properties.provisioningState', from: provisioning, to: 'Succeeded' });
  }
  return fields.length ? { ...base, action: 'update', fields } : undefined;
}

function planDeploy(r: DesiredResource, d: CodeDeployment, current: Map<string, unknown>): PlannedChange | undefined {
  const deployed = getPath(current.get(idKey(d.targetId)), `tags.${TAG_CODE_HASH}`);
  if (deployed === d.hash) return undefined;
  return {
    id: r.id,
    type: r.type,
    label: r.label,
    action: 'deploy',
    fields: [{ path: `tags.${TAG_CODE_HASH}`, from: deployed, to: d.hash }],
  };
}

async function planDeletes(graph: DesiredGraph, arm: ArmClient, signal?: AbortSignal): Promise<PlannedChange[]> {
  const desired = new Set(graph.resources.map((r) => idKey(r.id)));
  const tagged = await arm.listByTag(graph.resourceGroupId, TAG_STACK, graph.stack, signal);
  return (
    tagged
      // Only types gpuarb creates: VMs, NICs and disks a scale set makes carry no stack tag of
      // ours in Azure, and if a cloud copies tags down they go with their scale set anyway.
      .filter((t) => !desired.has(idKey(t.id)) && isManagedType(t.type ?? typeOfId(t.id)))
      .map((t) => ({
        id: t.id,
        type: t.type ?? typeOfId(t.id),
        label: `${t.type?.split('/').pop() ?? 'resource'}/${t.id.split('/').pop()}`,
        action: 'delete' as const,
      }))
  );
}

const MANAGED_TYPES = new Set(Object.keys(API_VERSIONS).map((t) => t.toLowerCase()));
export const isManagedType = (type: string): boolean => MANAGED_TYPES.has(type.toLowerCase());
