// In-memory secrets of every vault, with versions and soft delete. Pure state and rules: no HTTP,
// no URLs. Failures are KeyVaultError with Azure's status, code and message, so the handler only
// renders them. The whole state is plain JSON (`exportState`/`importState`) for the daemon.

/** Times are epoch seconds, as Key Vault's attributes carry them. */
export interface SecretVersion {
  version: string;
  value: string;
  contentType?: string;
  tags?: Record<string, string>;
  enabled: boolean;
  nbf?: number;
  exp?: number;
  created: number;
  updated: number;
}

export interface SecretRecord {
  /** The name as first written; lookups are case-insensitive, as Azure's are. */
  name: string;
  /** Oldest first; the last one is the current version. */
  versions: SecretVersion[];
}

export interface DeletedSecretRecord {
  record: SecretRecord;
  deletedDate: number;
  scheduledPurgeDate: number;
}

interface VaultSecrets {
  live: Record<string, SecretRecord>;
  deleted: Record<string, DeletedSecretRecord>;
}

export type SecretStoreState = Record<string, VaultSecrets>;

export class KeyVaultError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly innerCode?: string,
  ) {
    super(message);
  }
}

/** Azure's secret name rule: 1–127 letters, digits and hyphens. */
const SECRET_NAME = /^[0-9a-zA-Z-]{1,127}$/;

export interface SecretWrite {
  value: string;
  contentType?: string;
  tags?: Record<string, string>;
  enabled?: boolean;
  nbf?: number;
  exp?: number;
}

export type SecretPatch = Partial<Omit<SecretWrite, 'value'>>;

export interface VaultPolicy {
  purgeProtection: boolean;
  retentionDays: number;
}

const notFound = (name: string): KeyVaultError =>
  new KeyVaultError(
    404,
    'SecretNotFound',
    `A secret with (name/id) ${name} was not found in this key vault. If you recently ` +
      `deleted this secret you may be able to recover it using the correct recovery command. ` +
      `For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
  );

export class SecretStore {
  private vaults: SecretStoreState = {};

  constructor(
    private readonly nowSeconds: () => number,
    private readonly newVersion: () => string,
  ) {}

  exportState(): SecretStoreState {
    return structuredClone(this.vaults);
  }

  importState(state: SecretStoreState): void {
    this.vaults = structuredClone(state);
  }

  /** The vault was purged in ARM: its secrets go with it. */
  dropVault(vault: string): void {
    delete this.vaults[vault.toLowerCase()];
  }

  set(vault: string, name: string, write: SecretWrite): { record: SecretRecord; version: SecretVersion } {
    checkName(name);
    const v = this.vault(vault);
    const key = name.toLowerCase();
    if (v.deleted[key]) {
      throw new KeyVaultError(
        409,
        'Conflict',
        `Secret ${name} is currently in a deleted but recoverable state, and its name cannot ` +
          `be reused; in this state, the secret can only be recovered or purged.`,
        'ObjectIsDeletedButRecoverable',
      );
    }
    const now = this.nowSeconds();
    v.live[key] ??= { name, versions: [] };
    const record = v.live[key];
    const version: SecretVersion = {
      version: this.newVersion(),
      value: write.value,
      contentType: write.contentType,
      tags: write.tags,
      enabled: write.enabled ?? true,
      nbf: write.nbf,
      exp: write.exp,
      created: now,
      updated: now,
    };
    record.versions.push(version);
    return { record, version };
  }

  /** One version (latest when `version` is empty), enabled or not: callers decide about values. */
  get(vault: string, name: string, version?: string): { record: SecretRecord; version: SecretVersion } {
    const record = this.vault(vault).live[name.toLowerCase()];
    if (!record) throw notFound(name);
    if (!version) return { record, version: record.versions[record.versions.length - 1] };
    const found = record.versions.find((x) => x.version === version.toLowerCase());
    if (!found) throw notFound(`${name}/${version}`);
    return { record, version: found };
  }

  update(vault: string, name: string, version: string | undefined, patch: SecretPatch): { record: SecretRecord; version: SecretVersion } {
    const found = this.get(vault, name, version);
    const target = found.version;
    if (patch.contentType !== undefined) target.contentType = patch.contentType;
    if (patch.tags !== undefined) target.tags = patch.tags;
    if (patch.enabled !== undefined) target.enabled = patch.enabled;
    if (patch.nbf !== undefined) target.nbf = patch.nbf;
    if (patch.exp !== undefined) target.exp = patch.exp;
    target.updated = this.nowSeconds();
    return found;
  }

  list(vault: string): SecretRecord[] {
    return sortByName(Object.values(this.vault(vault).live));
  }

  versions(vault: string, name: string): { record: SecretRecord; versions: SecretVersion[] } {
    const record = this.vault(vault).live[name.toLowerCase()];
    if (!record) throw notFound(name);
    return { record, versions: [...record.versions] };
  }

  delete(vault: string, name: string, policy: VaultPolicy): DeletedSecretRecord {
    const v = this.vault(vault);
    const key = name.toLowerCase();
    const record = v.live[key];
    if (!record) throw notFound(name);
    const now = this.nowSeconds();
    const deleted: DeletedSecretRecord = { record, deletedDate: now, scheduledPurgeDate: now + policy.retentionDays * 86_400 };
    delete v.live[key];
    v.deleted[key] = deleted;
    return deleted;
  }

  listDeleted(vault: string): DeletedSecretRecord[] {
    return Object.values(this.vault(vault).deleted).sort((a, b) => a.record.name.localeCompare(b.record.name));
  }

  getDeleted(vault: string, name: string): DeletedSecretRecord {
    const deleted = this.vault(vault).deleted[name.toLowerCase()];
    if (!deleted) throw new KeyVaultError(404, 'SecretNotFound', `Deleted Secret not found: ${name}`);
    return deleted;
  }

  recover(vault: string, name: string): SecretRecord {
    const v = this.vault(vault);
    const deleted = this.getDeleted(vault, name);
    const key = name.toLowerCase();
    delete v.deleted[key];
    v.live[key] = deleted.record;
    return deleted.record;
  }

  purge(vault: string, name: string, policy: VaultPolicy, location: string): void {
    this.getDeleted(vault, name);
    if (policy.purgeProtection) {
      throw new KeyVaultError(
        403,
        'Forbidden',
        `Operation "purge" is not allowed because purge protection is enabled for this vault. ` +
          `Key Vault service will automatically purge it after the retention period has passed.\nVault: ` +
          `${vault};location=${location}`,
      );
    }
    delete this.vault(vault).deleted[name.toLowerCase()];
  }

  /** A vault's secrets, after dropping deleted secrets whose retention has run out (as Azure's purge does). */
  private vault(name: string): VaultSecrets {
    const vaultKey = name.toLowerCase();
    this.vaults[vaultKey] ??= { live: {}, deleted: {} };
    const v = this.vaults[vaultKey];
    const now = this.nowSeconds();
    for (const [key, deleted] of Object.entries(v.deleted)) {
      if (deleted.scheduledPurgeDate <= now) delete v.deleted[key];
    }
    return v;
  }
}

function checkName(name: string): void {
  if (!SECRET_NAME.test(name)) {
    throw new KeyVaultError(400, 'BadParameter', `The request URI contains an invalid name: ${name}`);
  }
}

function sortByName(records: SecretRecord[]): SecretRecord[] {
  return records.sort((a, b) => a.name.localeCompare(b.name));
}
