// Renders stored secrets as Key Vault's JSON bundles and list items (REST api 7.x / 2025-07-01).
// Ids are `https://<vault host>/secrets/<name>/<version>`: exactly the form the SDK's
// parseKeyVaultIdentifier accepts.
import type { DeletedSecretRecord, SecretRecord, SecretVersion, VaultPolicy } from './keyvault-store.js';

/**
 * Azure derives recoveryLevel from the vault: purge protection removes "+Purgeable", and a
 * retention under 90 days makes it "CustomizedRecoverable".
 */
function recoveryLevel(policy: VaultPolicy): string {
  const base = policy.retentionDays < 90 ? 'CustomizedRecoverable' : 'Recoverable';
  return policy.purgeProtection ? base : `${base}+Purgeable`;
}

function attributes(v: SecretVersion, policy: VaultPolicy): Record<string, unknown> {
  return {
    enabled: v.enabled,
    ...(v.nbf !== undefined ? { nbf: v.nbf } : {}),
    ...(v.exp !== undefined ? { exp: v.exp } : {}),
    created: v.created,
    updated: v.updated,
    recoveryLevel: recoveryLevel(policy),
    recoverableDays: policy.retentionDays,
  };
}

function optional(v: SecretVersion): Record<string, unknown> {
  return {
    ...(v.contentType !== undefined ? { contentType: v.contentType } : {}),
    ...(v.tags !== undefined ? { tags: v.tags } : {}),
  };
}

const latest = (r: SecretRecord): SecretVersion => r.versions[r.versions.length - 1];

/** `base` is the vault URL with its trailing slash, e.g. `https://kv1.vault.localhost:8443/`. */
export function secretBundle(
  base: string,
  record: SecretRecord,
  v: SecretVersion,
  policy: VaultPolicy,
  withValue: boolean,
): Record<string, unknown> {
  return {
    ...(withValue ? { value: v.value } : {}),
    ...optional(v),
    id: `${base}secrets/${record.name}/${v.version}`,
    attributes: attributes(v, policy),
  };
}

/** A `GET /secrets` item: the secret's id without version and its current version's attributes. */
export function secretItem(base: string, record: SecretRecord, policy: VaultPolicy): Record<string, unknown> {
  const v = latest(record);
  return { id: `${base}secrets/${record.name}`, attributes: attributes(v, policy), ...optional(v) };
}

export function versionItem(base: string, record: SecretRecord, v: SecretVersion, policy: VaultPolicy): Record<string, unknown> {
  return { id: `${base}secrets/${record.name}/${v.version}`, attributes: attributes(v, policy), ...optional(v) };
}

function deletedFields(base: string, d: DeletedSecretRecord): Record<string, unknown> {
  return {
    recoveryId: `${base}deletedsecrets/${d.record.name}`,
    deletedDate: d.deletedDate,
    scheduledPurgeDate: d.scheduledPurgeDate,
  };
}

export function deletedBundle(base: string, d: DeletedSecretRecord, policy: VaultPolicy): Record<string, unknown> {
  return { ...deletedFields(base, d), ...secretBundle(base, d.record, latest(d.record), policy, false) };
}

export function deletedItem(base: string, d: DeletedSecretRecord, policy: VaultPolicy): Record<string, unknown> {
  return { ...deletedFields(base, d), ...secretItem(base, d.record, policy) };
}
