// The local Cosmos server (emulator/runtime/services/cosmos.ts) with a test's certificate, on port
// 0 or a given port (restarting on the same port simulates a Cosmos outage and recovery).
import { startCosmosService } from '../../emulator/runtime/services/cosmos.js';
import type { TestCert } from '../../test/support/self-signed-cert.js';

export interface LocalCosmos {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

export async function startLocalCosmos(cert: TestCert, port = 0): Promise<LocalCosmos> {
  const service = await startCosmosService({ certPem: cert.cert, keyPem: cert.key }, port);
  return { endpoint: `https://127.0.0.1:${service.port}`, port: service.port, close: () => service.stop() };
}
