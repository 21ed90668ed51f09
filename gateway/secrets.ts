// Secret sources. A secret is a list of accepted values, current first: during a rotation the
// previous value stays valid until every sender has the new one (Key Vault rotation overlap).
import { readFile, stat } from 'node:fs/promises';
import crypto, { timingSafeEqual, createHash } from 'node:crypto';
import type { TokenCredential } from '@azure/identity';
import type { SecretClientOptions } from '@azure/keyvault-secrets';
import type { SecretSourceConfig } from '../contracts/gateway-config.js';
import { acceptedVersions, type VersionInfo } from '../contracts/secret-versions.js';

export interface SecretSource {
  /** Accepted values, current first. Cheap: served from memory, refreshed in the background. */
  values(): Promise<string[]>;
  /** A value was presented that matched nothing: a source may refresh early (rate limited). */
  noteMismatch?(): void;
  close?(): void;
}

function staticSecret(current: string, previous?: string): SecretSource {
  const list = previous ? [current, previous] : [current];
  return { values: async () => list };
}

/**
 * A file with the current value on line 1 and the previous one on line 2 (optional). Checked at
 * most every `checkMs` by mtime, so a rotation that rewrites the file takes effect within it.
 */
export function fileSecret(path: string, checkMs = 1_000): SecretSource {
  let cached: string[] | undefined;
  let mtimeMs = -1;
  let checkedAt = 0;
  let pending: Promise<string[]> | undefined;
  const refresh = async (): Promise<string[]> => {
    const st = await stat(path);
    checkedAt = Date.now();
    if (cached && st.mtimeMs === mtimeMs) return cached;
    const lines = (await readFile(path, 'utf8'))
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean);
    if (lines.length === 0) throw new Error(`secret file ${path} is empty`);
    mtimeMs = st.mtimeMs;
    cached = lines.slice(0, 2);
    return cached;
  };
  return {
    async values() {
      if (cached && Date.now() - checkedAt < checkMs) return cached;
      pending ??= refresh().finally(() => (pending = undefined));
      try {
        return await pending;
      } catch (e) {
        if (cached) return cached; // keep the last good values through a transient read error
        throw e;
      }
    },
    noteMismatch() {
      checkedAt = 0;
    },
  };
}

/**
 * Key Vault: the versions consumers accept (contracts/secret-versions.ts: the two newest enabled,
 * unexpired ones). Each value keeps its expiry, checked on every call, so a rotated-out value is
 * refused from its expiry on, not from the next refresh. SDKs are loaded only when used.
 */
export function keyVaultSecret(
  vaultUrl: string,
  name: string,
  refreshSeconds: number,
  /** Tests: a credential and client options (the local cloud's CA); Azure: the managed identity. */
  deps: { credential?: TokenCredential; clientOptions?: SecretClientOptions } = {},
): SecretSource {
  let cached: string[] | undefined;
  let accepted: { value: string; expiresOn: number | null }[] = [];
  let nextExpiry = Number.POSITIVE_INFINITY;
  let fetchedAt = 0;
  let lastForced = 0;
  let pending: Promise<string[]> | undefined;
  const setAccepted = (next: { value: string; expiresOn: number | null }[]) => {
    const now = Date.now();
    accepted = next.filter((a) => a.expiresOn === null || a.expiresOn > now);
    cached = accepted.map((a) => a.value);
    nextExpiry = Math.min(Number.POSITIVE_INFINITY, ...accepted.map((a) => a.expiresOn ?? Number.POSITIVE_INFINITY));
    return cached;
  };
  const load = async (): Promise<string[]> => {
    const [{ SecretClient }, { DefaultAzureCredential }] = await Promise.all([
      import('@azure/keyvault-secrets'),
      import('@azure/identity'),
    ]);
    const client = new SecretClient(vaultUrl, deps.credential ?? new DefaultAzureCredential(), deps.clientOptions);
    const versions: VersionInfo[] = [];
    for await (const p of client.listPropertiesOfSecretVersions(name))
      versions.push({
        version: p.version ?? '',
        enabled: p.enabled !== false,
        createdOn: p.createdOn?.getTime() ?? null,
        expiresOn: p.expiresOn?.getTime() ?? null,
        tags: p.tags ?? {},
      });
    const next: { value: string; expiresOn: number | null }[] = [];
    for (const v of acceptedVersions(versions, Date.now())) {
      const s = await client.getSecret(name, { version: v.version });
      if (s.value) next.push({ value: s.value, expiresOn: v.expiresOn });
    }
    if (next.length === 0) throw new Error(`Key Vault secret ${name} has no enabled version`);
    fetchedAt = Date.now();
    return setAccepted(next);
  };
  const refresh = () => (pending ??= load().finally(() => (pending = undefined)));
  return {
    async values() {
      if (!cached) return refresh();
      if (Date.now() >= nextExpiry) setAccepted(accepted);
      if (Date.now() - fetchedAt > refreshSeconds * 1000) refresh().catch(() => {});
      return cached;
    },
    noteMismatch() {
      // A sender may already have a version we have not seen yet; look, but at most every 30 s.
      if (Date.now() - lastForced > 30_000) {
        lastForced = Date.now();
        refresh().catch(() => {});
      }
    },
  };
}

export function secretFromConfig(cfg: SecretSourceConfig): SecretSource {
  switch (cfg.kind) {
    case 'static':
      return staticSecret(cfg.current, cfg.previous);
    case 'file':
      return fileSecret(cfg.path);
    case 'keyvault':
      return keyVaultSecret(cfg.vaultUrl, cfg.name, cfg.refreshSeconds);
  }
}

/** Constant-time membership: hashing first makes lengths equal, so nothing leaks through timing. */
export function matchesAny(presented: string, accepted: string[]): boolean {
  const p = sha256(presented);
  let ok = false;
  for (const a of accepted) {
    if (timingSafeEqual(p, digestOfAccepted(a))) ok = true;
  }
  return ok;
}

// One-shot crypto.hash (Node ≥ 20.12) skips building a Hash stream object, the larger part of
// this check's cost on every request; older 20.x fall back to createHash.
const sha256: (value: string) => Buffer =
  typeof crypto.hash === 'function'
    ? (value) => crypto.hash('sha256', value, 'buffer')
    : (value) => createHash('sha256').update(value).digest();

// The accepted values change only on rotation, so their digests are kept rather than recomputed
// on every request. Bounded: a source never holds more than two values at a time.
const acceptedDigests = new Map<string, Buffer>();
function digestOfAccepted(value: string): Buffer {
  let d = acceptedDigests.get(value);
  if (!d) {
    if (acceptedDigests.size >= 16) acceptedDigests.clear();
    d = sha256(value);
    acceptedDigests.set(value, d);
  }
  return d;
}
