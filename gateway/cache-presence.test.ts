// The presence filter: never "absent" for a key that was added (whatever its bits), a false
// "present" rate near what it is sized for, keys written by another gateway learned by sync,
// expiry by generations, and "maybe" for everything while it is cold or its syncs are stale.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes, createHash } from 'node:crypto';
import type { Container } from '@azure/cosmos';
import { BloomFilter, CachePresence, nextSyncDelay, staleAfterMs, SYNC_COST_FACTOR } from './cache-presence.js';
import { startTestCosmos, type TestCosmos } from '../testkit/cosmos.js';
import { CONTAINERS } from '../contracts/cosmos-containers.js';
import { silentLogger } from './log.js';

const hexKey = () => randomBytes(32).toString('hex');

describe('BloomFilter', () => {
  it('has every key it was given, and few it was not', () => {
    const f = new BloomFilter(10_000, 0.01);
    const added = Array.from({ length: 10_000 }, hexKey);
    for (const k of added) f.add(k);
    expect(added.every((k) => f.has(k))).toBe(true);
    const others = Array.from({ length: 20_000 }, hexKey);
    const falsePositives = others.filter((k) => f.has(k)).length / others.length;
    expect(falsePositives).toBeLessThan(0.03); // sized for 1 %
    expect(f.bytes).toBeLessThan(16 * 1024); // ~9.6 bits per entry
  });
  it('takes keys that are not hex digests too', () => {
    const f = new BloomFilter(100);
    f.add('not a digest');
    expect(f.has('not a digest')).toBe(true);
    expect(f.has(createHash('sha256').update('x').digest('hex'))).toBe(false);
  });
});

describe('sync pacing', () => {
  it('syncs every syncMs while syncs are quick, spaces slow ones out, and never waits long enough to go stale', () => {
    expect(nextSyncDelay(1_000, 5)).toBe(1_000); // 5 ms × 50 = 250 ms: the configured period rules
    expect(nextSyncDelay(1_000, 70)).toBe(70 * SYNC_COST_FACTOR); // an unindexed scan of ~4,000 entries
    expect(nextSyncDelay(1_000, 5_000)).toBe(staleAfterMs(1_000) / 3); // capped: stays warm
    expect(nextSyncDelay(1_000, 5_000)).toBeLessThan(staleAfterMs(1_000));
    expect(nextSyncDelay(60_000, 1)).toBe(60_000);
  });
});

let cosmos: TestCosmos;
let cache: Container;

/** Writes a cache entry and returns the server second it was stamped with (`_ts`). */
async function upsertStamped(id: string): Promise<number> {
  const { resource } = await cache.items.upsert({ id, body: '{}' });
  if (!resource) throw new Error(`upsert of ${id} returned no document`);
  return resource._ts;
}
beforeAll(async () => {
  cosmos = await startTestCosmos();
  cache = cosmos.client.database(cosmos.database).container(CONTAINERS.cache.id);
}, 60_000);
afterAll(async () => {
  await cosmos?.stop();
});

describe('CachePresence', () => {
  it('is cold until its first sync, which learns every live key another gateway stored', async () => {
    const before = hexKey();
    await cache.items.upsert({ id: before, body: '{}' });
    const p = new CachePresence(cache, { ttlSeconds: 3600, expectedEntries: 1000, syncMs: 60_000 }, silentLogger);
    const unknown = hexKey();
    expect(p.definitelyAbsent(unknown)).toBe(false); // cold: every lookup reads Cosmos
    await p.sync();
    expect(p.warm()).toBe(true);
    expect(p.definitelyAbsent(before)).toBe(false);
    expect(p.definitelyAbsent(unknown)).toBe(true);
    // Written elsewhere after the first sync: known after the next one.
    const later = hexKey();
    await cache.items.upsert({ id: later, body: '{}' });
    await p.sync();
    expect(p.definitelyAbsent(later)).toBe(false);
    // Its own stores are known at once, before Cosmos has them.
    const own = hexKey();
    p.add(own);
    expect(p.definitelyAbsent(own)).toBe(false);
  });

  it('keeps a key for at least one TTL, then forgets it', async () => {
    let now = Date.now();
    const p = new CachePresence(cache, { ttlSeconds: 10, expectedEntries: 1000, syncMs: 60_000, now: () => now }, silentLogger);
    await p.sync();
    const k = hexKey();
    p.add(k);
    now += 9_000;
    await p.sync(); // keep it warm
    expect(p.definitelyAbsent(k)).toBe(false);
    now += 9_000; // 18 s: one rotation happened; the key lives on in the older generation
    await p.sync();
    expect(p.definitelyAbsent(k)).toBe(false);
    now += 11_000; // 29 s: two rotations; its entry expired long ago
    await p.sync();
    expect(p.definitelyAbsent(k)).toBe(true);
  });

  it('reads a burst of writes again only until it has settled, then only what is new', async () => {
    let now = Date.now();
    const p = new CachePresence(cache, { ttlSeconds: 3600, expectedEntries: 1000, syncMs: 60_000, now: () => now }, silentLogger);
    await p.sync();
    const burst = Array.from({ length: 5 }, hexKey);
    let newestTs = 0;
    for (const id of burst) newestTs = Math.max(newestTs, await upsertStamped(id));
    await p.sync();
    expect(p.lastSyncRead).toBeGreaterThanOrEqual(5);
    await p.sync(); // within the overlap: the same second may still be gaining entries
    expect(p.lastSyncRead).toBeGreaterThanOrEqual(5);
    now += 3_100; // that second is over, and so is the overlap after it
    await p.sync(); // the settling read
    expect(p.lastSyncRead).toBeGreaterThanOrEqual(5);
    await p.sync();
    expect(p.lastSyncRead).toBe(0); // a quiet container costs an empty answer
    expect(burst.every((k) => !p.definitelyAbsent(k))).toBe(true);
    // A write in a later server second is still learned.
    const late = hexKey();
    const until = Date.now() + 3_000;
    while ((await upsertStamped(late)) <= newestTs) {
      if (Date.now() > until) throw new Error('the server clock did not move on');
      await new Promise((r) => setTimeout(r, 50));
    }
    await p.sync();
    expect(p.lastSyncRead).toBe(1);
    expect(p.definitelyAbsent(late)).toBe(false);
  });

  it('says "maybe" for everything once its syncs have failed for a while', async () => {
    let now = Date.now();
    const p = new CachePresence(cache, { ttlSeconds: 3600, expectedEntries: 1000, syncMs: 1_000, now: () => now }, silentLogger);
    await p.sync();
    const k = hexKey();
    expect(p.definitelyAbsent(k)).toBe(true);
    now += 31_000; // no successful sync for over 30 s (and over 10 sync periods)
    expect(p.warm()).toBe(false);
    expect(p.definitelyAbsent(k)).toBe(false);
  });
});
