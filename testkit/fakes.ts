// Deterministic stand-ins for what the local cloud's code takes as dependencies: a seeded random
// source and a static credential for the real SDK clients (the clock is testkit/fake-clock.ts).
import { mulberry32 } from '../lib/mulberry32.js';

/** mulberry32, so tests see the same ids every run. */
export const seededRandom = mulberry32;

export const TEST_TOKEN = 'local-test-token';

/** A TokenCredential (the @azure/core-auth shape) that always returns TEST_TOKEN, recording scopes. */
export function staticCredential(token = TEST_TOKEN): {
  scopes: string[];
  getToken(scopes: string | string[]): Promise<{ token: string; expiresOnTimestamp: number }>;
} {
  const scopes: string[] = [];
  return {
    scopes,
    async getToken(requested: string | string[]) {
      scopes.push(...(Array.isArray(requested) ? requested : [requested]));
      return { token, expiresOnTimestamp: Date.now() + 3600_000 };
    },
  };
}
