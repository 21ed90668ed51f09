// Key Vault secret rotation with no failed request, and the listing (never values). The rules
// (which version is accepted, when the old one is retired) are in secret-policy.ts; this file
// does the calls. `rotateSecret` is reusable: `gpuarb loadtest --rotate-secret-at` calls it.
import { randomBytes } from 'node:crypto';
import type { Context } from '../core/context.js';
import { UserError } from '../core/errors.js';
import { apimClient, arm, isNotFound, lroOptions, secretClient, vaultUrl } from './azure-clients.js';
import { loadStack, type OpsStack } from './stack.js';
import { rotationInProgress, versionsToRetire } from './secret-policy.js';
import { newestFirst, TAG_PREVIOUS_VERSION, TAG_RETIRE_AFTER, TAG_ROTATED_AT, type VersionInfo } from '../../contracts/secret-versions.js';

/** Secrets gpuarb can rotate by itself (random keys); the SSH key needs a scale set rollout. */
export const ROTATABLE = ['inference-api-key', 'internal-service-key'] as const;
/** API Management's Key Vault–backed named value for the backend key (src/templates/apim-policy.ts). */
const BACKEND_KEY_SECRET = 'inference-api-key';

export interface RotateOptions {
  /** Seconds both versions stay valid; default config.secrets.overlap. */
  overlapSeconds?: number;
  /** Wait out the overlap and disable the old version before returning. */
  wait?: boolean;
  /** Rotate even though a previous rotation is still in its overlap. */
  force?: boolean;
  /** Progress for humans (stderr). */
  onProgress?(message: string): void;
}

export interface RotateResult {
  name: string;
  version: string;
  previousVersion: string | null;
  /** When the previous version stops being accepted (ISO), or null on a first version. */
  retireAt: string | null;
  /** Versions disabled by this run (retired after their overlap). */
  retired: string[];
  apimRefreshed: boolean | null;
}

export interface SecretListing {
  name: string;
  versions: number;
  enabledVersions: number;
  current: { version: string; createdOn: string | null; ageSeconds: number | null } | null;
  rotationInProgress: { previous: string; retireAt: string } | null;
  contentType: string | null;
}

function toInfo(p: {
  version?: string;
  enabled?: boolean;
  createdOn?: Date;
  expiresOn?: Date;
  tags?: Record<string, string>;
}): VersionInfo {
  return {
    version: p.version ?? '',
    enabled: p.enabled !== false,
    createdOn: p.createdOn?.getTime() ?? null,
    expiresOn: p.expiresOn?.getTime() ?? null,
    tags: p.tags ?? {},
  };
}

async function client(stack: OpsStack) {
  return secretClient(stack.target, await vaultUrl(stack.target, stack.resourceGroup, stack.names.keyVault));
}

type Client = Awaited<ReturnType<typeof client>>;

async function versionsOf(c: Client, name: string): Promise<VersionInfo[]> {
  const out: VersionInfo[] = [];
  try {
    for await (const p of c.listPropertiesOfSecretVersions(name)) out.push(toInfo(p));
  } catch (e) {
    if (isNotFound(e)) return [];
    throw e;
  }
  return out;
}

/** Disables every version whose overlap is over; answers the versions disabled. */
async function retireDue(c: Client, name: string, now: number): Promise<string[]> {
  const due = versionsToRetire(await versionsOf(c, name), now);
  for (const v of due) await c.updateSecretProperties(name, v.version, { enabled: false });
  return due.map((v) => v.version);
}

export async function rotateSecret(ctx: Context, name: string, opts: RotateOptions = {}): Promise<RotateResult> {
  if (!(ROTATABLE as readonly string[]).includes(name)) {
    throw new UserError(`Secret "${name}" cannot be rotated by \`gpuarb secrets rotate\`.`, {
      code: 'NotRotatable',
      hint:
        name === 'vmss-ssh-private-key'
          ? 'The SSH key is baked into the scale sets: rotate it with a new stack rollout (`gpuarb up` after deleting the secret).'
          : `Rotatable secrets: ${ROTATABLE.join(', ')}.`,
    });
  }
  const stack = await loadStack(ctx);
  const overlap = opts.overlapSeconds ?? stack.config.secrets.overlap;
  const progress = opts.onProgress ?? (() => undefined);
  const c = await client(stack);
  const retired = await arm(retireDue(c, name, ctx.clock.now()));
  const versions = newestFirst(await arm(versionsOf(c, name)));
  const pending = rotationInProgress(versions, ctx.clock.now());
  if (pending && !opts.force) {
    throw new UserError(
      `Secret ${name} is still in the overlap of its last rotation (version ${pending.previous} is accepted ` +
        `until ${new Date(pending.retireAt).toISOString()}).`,
      {
        code: 'RotationInProgress',
        hint: 'Rotating again now would drop a version some consumers may still send. Wait until then, or pass --force if that version is known to be unused.',
      },
    );
  }
  const current = versions.find((v) => v.enabled);
  const previousProps = current ? await arm(c.getSecret(name, { version: current.version })).then((s) => s.properties) : undefined;

  // 256 random bits; registered before anything could print it (redaction of every output).
  const value = randomBytes(32).toString('base64url');
  ctx.secrets.register(value);
  const now = ctx.clock.now();
  const baseTags = Object.fromEntries(
    Object.entries(previousProps?.tags ?? {}).filter(([k]) => ![TAG_RETIRE_AFTER, TAG_PREVIOUS_VERSION, TAG_ROTATED_AT].includes(k)),
  );
  const created = await arm(
    c.setSecret(name, value, {
      contentType: previousProps?.contentType,
      tags: { ...baseTags, [TAG_ROTATED_AT]: new Date(now).toISOString(), ...(current ? { [TAG_PREVIOUS_VERSION]: current.version } : {}) },
    }),
  );
  progress(`${name}: new version ${created.properties.version}`);
  let retireAt: string | null = null;
  if (current) {
    // The old version stays enabled and accepted until retireAt; expiresOn makes every consumer
    // drop it at the same moment, the tag lets gpuarb disable it later.
    retireAt = new Date(now + overlap * 1000).toISOString();
    await arm(
      c.updateSecretProperties(name, current.version, {
        expiresOn: new Date(retireAt),
        tags: { ...(previousProps?.tags ?? {}), [TAG_RETIRE_AFTER]: retireAt },
      }),
    );
    progress(`${name}: previous version ${current.version} accepted until ${retireAt}`);
  }
  const apimRefreshed = name === BACKEND_KEY_SECRET ? await refreshApimBackendKey(stack, progress) : null;
  if (opts.wait && current) {
    progress(`${name}: waiting ${overlap} s for the overlap to end (Ctrl-C leaves it to the next \`gpuarb secrets\` run)`);
    await ctx.clock.sleep(overlap * 1000, ctx.signal);
    retired.push(...(await arm(retireDue(c, name, ctx.clock.now()))));
  }
  return { name, version: created.properties.version ?? '', previousVersion: current?.version ?? null, retireAt, retired, apimRefreshed };
}

/**
 * API Management caches Key Vault named values (refreshing every 4 hours in Azure): ask it to
 * fetch the new backend key now, well inside the overlap. Missing APIM is not an error.
 */
async function refreshApimBackendKey(stack: OpsStack, progress: (m: string) => void): Promise<boolean> {
  const { BACKEND_KEY_NAMED_VALUE } = await import('../templates/apim-policy.js');
  const apim = await apimClient(stack.target);
  try {
    await apim.namedValue.beginRefreshSecretAndWait(
      stack.resourceGroup,
      stack.names.apim,
      BACKEND_KEY_NAMED_VALUE,
      lroOptions(stack.target),
    );
    progress('api management: backend key named value refreshed');
    return true;
  } catch (e) {
    progress(
      `api management: backend key not refreshed (${(e as Error).message.split('\n')[0]}); it picks the new version up within its refresh interval`,
    );
    return false;
  }
}

export async function listSecrets(ctx: Context): Promise<SecretListing[]> {
  const stack = await loadStack(ctx);
  const c = await client(stack);
  const out: SecretListing[] = [];
  const now = ctx.clock.now();
  await arm(
    (async () => {
      for await (const p of c.listPropertiesOfSecrets()) {
        const name = p.name;
        await arm(retireDue(c, name, now));
        const versions = newestFirst(await arm(versionsOf(c, name)));
        const cur = versions.find((v) => v.enabled) ?? null;
        const pending = rotationInProgress(versions, now);
        out.push({
          name,
          versions: versions.length,
          enabledVersions: versions.filter((v) => v.enabled).length,
          current: cur && {
            version: cur.version,
            createdOn: cur.createdOn === null ? null : new Date(cur.createdOn).toISOString(),
            ageSeconds: cur.createdOn === null ? null : Math.round((now - cur.createdOn) / 1000),
          },
          rotationInProgress: pending && { previous: pending.previous, retireAt: new Date(pending.retireAt).toISOString() },
          contentType: p.contentType ?? null,
        });
      }
    })(),
  );
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
