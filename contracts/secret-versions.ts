// Which versions of a rotated Key Vault secret its consumers accept, defined once for the
// rotation (src/ops/secret-policy.ts) and every consumer (the gateway, the agents, the local
// cloud's key files): the two NEWEST ENABLED, UNEXPIRED versions. A rotation gives the previous
// version `expiresOn = rotation + overlap`, so every consumer stops accepting it at that moment
// without being told, and before `gpuarb` disables it.

export const TAG_ROTATED_AT = 'gpuarb-rotated-at';
export const TAG_RETIRE_AFTER = 'gpuarb-retire-after';
export const TAG_PREVIOUS_VERSION = 'gpuarb-previous-version';

export interface VersionInfo {
  version: string;
  enabled: boolean;
  createdOn: number | null;
  expiresOn: number | null;
  tags: Record<string, string>;
}

/**
 * Newest first. Key Vault lists versions in no promised order and stamps `created` in whole
 * seconds, so two versions made in the same second tie: the chain a rotation records
 * (`gpuarb-previous-version` on the new version) breaks the tie, then a version that is already
 * scheduled to retire is the older one.
 */
export function newestFirst(versions: VersionInfo[]): VersionInfo[] {
  return [...versions].sort((a, b) => {
    const byTime = (b.createdOn ?? 0) - (a.createdOn ?? 0);
    if (byTime) return byTime;
    if (a.tags[TAG_PREVIOUS_VERSION] === b.version) return -1;
    if (b.tags[TAG_PREVIOUS_VERSION] === a.version) return 1;
    const aRetiring = a.tags[TAG_RETIRE_AFTER] !== undefined ? 1 : 0;
    const bRetiring = b.tags[TAG_RETIRE_AFTER] !== undefined ? 1 : 0;
    return aRetiring - bRetiring || b.version.localeCompare(a.version);
  });
}

/** What consumers accept now: the two newest enabled versions that have not expired. */
export function acceptedVersions(versions: VersionInfo[], now: number): VersionInfo[] {
  return newestFirst(versions)
    .filter((v) => v.enabled && (v.expiresOn === null || v.expiresOn > now))
    .slice(0, 2);
}
