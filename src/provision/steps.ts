// How one planned change is written to ARM: prepare the body (resolve refs, keep create-only
// fields as they are, keep the deployed-code tag, generate secrets), then PUT / deploy / DELETE.
import type { ArmClient } from '../azure/arm-client.js';
import { AzureError } from '../core/errors.js';
import { apiVersionFor, nameOfId, typeOfId } from './api-versions.js';
import { idKey } from './graph.js';
import { getPath, setPath } from './paths.js';
import type { PlannedChange } from './plan.js';
import { hasUnknown, lookupFrom, resolveRefs, isRef, isTemplate } from './refs.js';
import { generateSecret } from './secrets.js';
import { retryWhileKeyVaultAccessPropagates } from './propagation-retry.js';
import { restoreOwnSoftDeletedApim } from './soft-deleted-apim.js';
import { type CodeDeployment, TAG_CODE_HASH, type DesiredResource } from './types.js';

/** Uploads code artifacts (the seam in artifacts.ts); absent → deploy steps fail with a hint. */
export interface Deployer {
  /** Makes sure `blobName` is in the stack's deployment container (content-addressed). */
  ensureUploaded(blobName: string, storageAccountId: string, signal?: AbortSignal): Promise<void>;
}

export interface StepDeps {
  arm: ArmClient;
  /** Current state by id key; updated with each write's result (refs resolve from it). */
  current: Map<string, unknown>;
  deployer?: Deployer;
  signal?: AbortSignal;
}

/** Collects the ids a body's refs point at. */
function refIds(value: unknown, out: string[] = []): string[] {
  if (isTemplate(value)) for (const v of Object.values(value.$template.vars)) out.push(v.$ref.id);
  else if (isRef(value)) out.push(value.$ref.id);
  else if (Array.isArray(value)) for (const v of value) refIds(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) refIds(v, out);
  return out;
}

async function resolveBody(r: DesiredResource, deps: StepDeps): Promise<Record<string, unknown>> {
  let body = resolveRefs(r.body, lookupFrom(deps.current)) as Record<string, unknown>;
  if (hasUnknown(body)) {
    // A value ARM computes late (e.g. principalId right after creation): read the sources again.
    for (const id of new Set(refIds(r.body))) {
      const fresh = await deps.arm.get(id, apiVersionFor(typeOfId(id)), deps.signal);
      if (fresh) deps.current.set(idKey(id), fresh);
    }
    body = resolveRefs(r.body, lookupFrom(deps.current)) as Record<string, unknown>;
    if (hasUnknown(body)) {
      throw new AzureError(`a value ${r.label} needs from another resource is not available yet`, {
        armCode: 'ReferenceNotReady',
        resourceId: r.id,
        hint: 'Rerun `gpuarb up`: the referenced resource may still be provisioning.',
      });
    }
  }
  return body;
}

/** Writes one resource; returns a note for the operator when the write did more than asked. */
export async function writeResource(r: DesiredResource, change: PlannedChange, deps: StepDeps): Promise<string | undefined> {
  if (r.deploy) {
    await deploy(r, r.deploy, deps);
    return undefined;
  }
  const state = deps.current.get(idKey(r.id)) as Record<string, unknown> | undefined;
  const body = await resolveBody(r, deps);
  if (change.action === 'update') {
    const blocked = change.fields?.filter((f) => f.createOnly) ?? [];
    if (blocked.length) {
      throw new AzureError(`${r.label}: ${blocked.map((f) => f.path).join(', ')} cannot change in place`, {
        armCode: 'CannotChangeInPlace',
        resourceId: r.id,
        hint: 'Azure cannot change this on an existing resource. Remove it from the config (or `gpuarb down`), run `gpuarb up`, then add it back.',
      });
    }
    // Create-only fields keep their current values (e.g. a scale set's capacity is autoscale's).
    for (const p of r.createOnly ?? []) {
      const now = getPath(state, p);
      if (now !== undefined) setPath(body, p, now);
    }
    // The deployed-code tag is written by deploy steps; a PUT for another reason keeps it.
    const codeTag = getPath(state, `tags.${TAG_CODE_HASH}`);
    const tags = body.tags as Record<string, string> | undefined;
    if (tags && codeTag !== undefined && tags[TAG_CODE_HASH] === undefined) tags[TAG_CODE_HASH] = String(codeTag);
  }
  if (r.secret) {
    const generated = generateSecret(r.secret.kind, `gpuarb-${r.id.split('/')[8] ?? 'stack'}`);
    const props = (body.properties ?? {}) as Record<string, unknown>;
    body.properties = { ...props, value: generated.value };
    body.tags = { ...(body.tags as Record<string, string>), ...generated.tags };
  }
  if (change.action === 'create' && r.type === 'Microsoft.KeyVault/vaults') await recoverOwnSoftDeletedVault(r, body, deps);
  const note =
    change.action === 'create' && r.type === 'Microsoft.ApiManagement/service'
      ? await restoreOwnSoftDeletedApim(r, body, deps.arm, deps.signal)
      : undefined;
  const put = () => deps.arm.put(r.id, r.apiVersion, body, deps.signal);
  const readsKeyVault = r.type === 'Microsoft.ApiManagement/service/namedValues' && getPath(body, 'properties.keyVault') !== undefined;
  const result = readsKeyVault ? await retryWhileKeyVaultAccessPropagates(put, deps.signal) : await put();
  // Never keep a secret value in memory longer than the request: store only what ARM returned.
  deps.current.set(idKey(r.id), result ?? { ...body, properties: r.secret ? {} : body.properties });
  return note;
}

async function deploy(r: DesiredResource, d: CodeDeployment, deps: StepDeps): Promise<void> {
  if (!deps.deployer) {
    throw new AzureError(`${r.label}: no package builder is available`, {
      armCode: 'DeployerMissing',
      resourceId: r.id,
      hint: 'Build the gateway package first (npm run build), then rerun `gpuarb up`.',
    });
  }
  const packageUri = resolveRefs(d.packageUri, lookupFrom(deps.current));
  if (typeof packageUri !== 'string')
    throw new AzureError(`${r.label}: the deployment container URL is unknown`, { armCode: 'ReferenceNotReady', resourceId: r.id });
  await deps.deployer.ensureUploaded(d.blobName, d.packageUri.$ref.id, deps.signal);
  // One-deploy from the blob (Flex Consumption's only deployment path besides /api/publish).
  await deps.arm.put(`${d.targetId}/extensions/onedeploy`, r.apiVersion, { properties: { packageUri, remoteBuild: false } }, deps.signal);
  // Only after a successful deploy does the target carry the new hash: an interrupted deploy
  // is still pending on the next plan.
  const target = (deps.current.get(idKey(d.targetId)) ??
    (await deps.arm.get(d.targetId, apiVersionFor('Microsoft.Web/sites'), deps.signal))) as { tags?: Record<string, string> } | undefined;
  const tags = { ...(target?.tags ?? {}), [TAG_CODE_HASH]: d.hash };
  const patched = await deps.arm.patch(d.targetId, apiVersionFor('Microsoft.Web/sites'), { tags }, deps.signal);
  deps.current.set(idKey(d.targetId), patched ?? { ...target, tags });
}

export async function deleteResource(change: PlannedChange, deps: StepDeps): Promise<void> {
  await deps.arm.delete(change.id, apiVersionFor(change.type), deps.signal);
  deps.current.delete(idKey(change.id));
}

/**
 * Key Vault names stay taken while soft-deleted (retention up to 90 days, purge protection on), so
 * an `up` after a `down` must recover the stack's own vault rather than fail: when the deleted
 * vault carries this stack's tag, the create becomes `createMode: recover`. Someone else's deleted
 * vault is left alone and the PUT fails with Azure's error and its hint.
 */
async function recoverOwnSoftDeletedVault(r: DesiredResource, body: Record<string, unknown>, deps: StepDeps): Promise<void> {
  const [, , sub] = r.id.split('/');
  const name = nameOfId(r.id);
  const location = String(body.location ?? '');
  const deletedId = `/subscriptions/${sub}/providers/Microsoft.KeyVault/locations/${location}/deletedVaults/${name}`;
  const deleted = (await deps.arm.get(deletedId, r.apiVersion, deps.signal)) as
    | { properties?: { tags?: Record<string, string> } }
    | undefined;
  const stack = (body.tags as Record<string, string> | undefined)?.['gpuarb-stack'];
  if (deleted && stack && deleted.properties?.tags?.['gpuarb-stack'] === stack) {
    body.properties = { ...(body.properties as Record<string, unknown>), createMode: 'recover' };
  }
}
