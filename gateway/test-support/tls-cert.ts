// A throwaway self-signed certificate for loopback test servers (test/support/self-signed-cert.ts),
// made once per process. The Cosmos emulator we use ships an expired certificate, and the Cosmos
// SDK insists on https, so tests serve it with a fresh one and trust it through an explicit CA —
// never with NODE_TLS_REJECT_UNAUTHORIZED.
import { selfSignedCert, type TestCert } from '../../test/support/self-signed-cert.js';

export type { TestCert };

let cached: TestCert | undefined;

export function loopbackCert(): TestCert {
  return (cached ??= selfSignedCert());
}
