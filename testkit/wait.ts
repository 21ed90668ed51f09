// Waiting in tests: bounded polling for a condition (never a fixed sleep), failing with a message
// that names what it waited for, and a loopback port nothing listens on.
import { createServer, type AddressInfo } from 'node:net';

/** What a probe gives once it succeeds: its value, minus the falsy ones that mean "not yet". */
export type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

/** Polls `probe` until it returns something truthy; a probe that throws is retried until the deadline. */
export async function waitFor<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 5000, intervalMs = 10): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as Truthy<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A loopback port nothing listens on (bound, then released): for tests of refused connections. */
export function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
