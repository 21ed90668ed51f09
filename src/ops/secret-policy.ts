// The pure rules of secret rotation (see docs/operations.md "Secret rotation").
//
// Consumers (gateway, agents) accept the two NEWEST ENABLED, UNEXPIRED versions of a secret.
// A rotation therefore (1) adds a version, so the new and the previous are both accepted; (2)
// gives the previous version `expiresOn = now + overlap` and the tag `gpuarb-retire-after`, so
// every consumer stops accepting it at the same moment without being told; (3) disables it
// once that time has passed (by `rotate --wait`, or by the next `gpuarb secrets` run).
// A second rotation inside the overlap would push a version still in use out of the two
// newest, so it is refused unless forced.

import { newestFirst, TAG_RETIRE_AFTER, type VersionInfo } from '../../contracts/secret-versions.js';

function retireAfter(v: VersionInfo): number | null {
  const tag = v.tags[TAG_RETIRE_AFTER] ? Date.parse(v.tags[TAG_RETIRE_AFTER]) : NaN;
  if (!Number.isNaN(tag)) return tag;
  return v.expiresOn;
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
