// Starts @vercel/cosmosdb-server over https with a fresh certificate, on port 0 or a given port
// (restarting on the same port simulates a Cosmos outage and recovery).
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createHttpsServer } from '@vercel/cosmosdb-server';
import type { TestCert } from '../../test/support/self-signed-cert.js';

export interface LocalCosmos { endpoint: string; port: number; close(): Promise<void>; }

export async function startLocalCosmos(cert: TestCert, port = 0): Promise<LocalCosmos> {
  const server: Server = createHttpsServer({ cert: cert.cert, key: cert.key });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(port, '127.0.0.1', () => resolve()); });
  const actual = (server.address() as AddressInfo).port;
  return {
    endpoint: `https://127.0.0.1:${actual}`,
    port: actual,
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}
