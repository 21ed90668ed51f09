import { describe, expect, it } from 'vitest';
import { acceptedVersions, newestFirst, TAG_RETIRE_AFTER, type VersionInfo } from '../../contracts/secret-versions.js';
import { rotationInProgress, versionsToRetire } from './secret-policy.js';

const NOW = Date.parse('2025-03-01T12:00:00Z');
const v = (version: string, createdAgoS: number, over: Partial<VersionInfo> = {}): VersionInfo => ({
  version,
  enabled: true,
  createdOn: NOW - createdAgoS * 1000,
  expiresOn: null,
  tags: {},
  ...over,
});

describe('secret rotation policy', () => {
  it('orders versions newest first', () => {
    expect(newestFirst([v('a', 300), v('c', 100), v('b', 200)]).map((x) => x.version)).toEqual(['c', 'b', 'a']);
  });

  it('breaks a same-second tie by the rotation chain, then by the retire tag', () => {
    const old = v('a-old', 0);
    const fresh = v('0-new', 0, { tags: { 'gpuarb-previous-version': 'a-old' } });
    expect(newestFirst([old, fresh]).map((x) => x.version)).toEqual(['0-new', 'a-old']);
    expect(newestFirst([fresh, old]).map((x) => x.version)).toEqual(['0-new', 'a-old']);
    const retiring = v('z', 0, { tags: { [TAG_RETIRE_AFTER]: 'x' } });
    expect(newestFirst([retiring, v('b', 0)]).map((x) => x.version)).toEqual(['b', 'z']);
  });

  it('during the overlap both versions are accepted and nothing is retired', () => {
    const versions = [
      v('old', 600, { expiresOn: NOW + 300_000, tags: { [TAG_RETIRE_AFTER]: new Date(NOW + 300_000).toISOString() } }),
      v('new', 10),
    ];
    expect(acceptedVersions(versions, NOW).map((x) => x.version)).toEqual(['new', 'old']);
    expect(versionsToRetire(versions, NOW)).toEqual([]);
    expect(rotationInProgress(versions, NOW)).toEqual({ previous: 'old', retireAt: NOW + 300_000 });
  });

  it('after the overlap the old version is no longer accepted and is retired', () => {
    const versions = [v('old', 600, { expiresOn: NOW - 1 }), v('new', 100)];
    expect(acceptedVersions(versions, NOW).map((x) => x.version)).toEqual(['new']);
    expect(versionsToRetire(versions, NOW).map((x) => x.version)).toEqual(['old']);
    expect(rotationInProgress(versions, NOW)).toBeNull();
  });

  it('the tag wins over expiresOn (an operator may have cleared the expiry)', () => {
    const versions = [v('old', 600, { expiresOn: null, tags: { [TAG_RETIRE_AFTER]: new Date(NOW - 1000).toISOString() } }), v('new', 100)];
    expect(versionsToRetire(versions, NOW).map((x) => x.version)).toEqual(['old']);
  });

  it('never retires the newest, nor a previous version without a retire time (first rotation by gpuarb)', () => {
    expect(versionsToRetire([v('only', 10, { expiresOn: NOW - 1 })], NOW)).toEqual([]);
    expect(versionsToRetire([v('a', 600), v('b', 10)], NOW)).toEqual([]);
  });

  it('versions older than the two newest enabled are retired at once', () => {
    const versions = [v('a', 900), v('b', 600), v('c', 10), v('d', 1000, { enabled: false })];
    expect(versionsToRetire(versions, NOW).map((x) => x.version)).toEqual(['a']);
  });
});
