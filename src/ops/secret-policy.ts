// The pure rules of secret rotation (see docs/operations.md "Secret rotation").
//
// Consumers (gateway, agents) accept the two NEWEST ENABLED, UNEXPIRED versions of a secret.
// A rotation therefore (1) adds a version, so the new and the previous are both accepted; (2)
// gives the previous version `expiresOn = now + overlap` and the tag `gpuarb-retire-after`, so
// every consumer stops accepting it at the same moment without being told; (3) disables it
// once that time has passed (by `rotate --wait`, or by the next `gpuarb secrets` run).
// A second rotation inside the overlap would push a version still in use out of the two
// newest, so it is refused unless forced.

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

function retireAfter(v: VersionInfo): number | null {
  const tag = v.tags[TAG_RETIRE_AFTER] ? Date.parse(v.tags[TAG_RETIRE_AFTER]) : NaN;
  if (!Number.isNaN(tag)) return tag;
  return v.expiresOn;
}

/** What consumers accept now: the two newest enabled versions that have not expired. */
export function acceptedVersions(versions: VersionInfo[], now: number): VersionInfo[] {
  return newestFirst(versions)
    .filter((v) => v.enabled && (v.expiresOn === null || v.expiresOn > now))
    .slice(0, 2);
}

/**
 * Enabled versions to disable now: every one but the newest whose retire time has passed, and
 * any older than the two newest enabled (no consumer accepts those any more).
 */
export function versionsToRetire(versions: VersionInfo[], now: number): VersionInfo[] {
  const enabled = newestFirst(versions).filter((v) => v.enabled);
  return enabled.slice(1).filter((v, i) => {
    if (i >= 1) return true;
    const at = retireAfter(v);
    return at !== null && at <= now;
  });
}

/** A rotation still in its overlap: the previous version is enabled and not yet retired. */
export function rotationInProgress(versions: VersionInfo[], now: number): { previous: string; retireAt: number } | null {
  const enabled = newestFirst(versions).filter((v) => v.enabled);
  const prev = enabled[1];
  if (!prev) return null;
  const at = retireAfter(prev);
  return at !== null && at > now ? { previous: prev.version, retireAt: at } : null;
}
