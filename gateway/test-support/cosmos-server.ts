// Starts @vercel/cosmosdb-server in this process on a free loopback port over https, with our
// own certificate, and creates the gateway's containers. The server ignores the partitionKey
// query option and never expires items (TTL), which is exactly why the gateway enforces expiry
// itself; tests rely on that.
import { createHttpsServer } from '@vercel/cosmosdb-server';
import { CosmosClient } from '@azure/cosmos';
import { Agent } from 'node:https';
import type { AddressInfo } from 'node:net';
import { loopbackCert } from './tls-cert.js';
import { CONTAINERS } from '../cosmos-containers.js';

/** The well-known emulator key; the server accepts any key. */
export const EMULATOR_KEY =
  'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';

export interface TestCosmos {
  endpoint: string;
  key: string;
  database: string;
  ca: string;
  client: CosmosClient;
  stop(): Promise<void>;
}

export async function startTestCosmos(database = 'gpuarb'): Promise<TestCosmos> {
  const { cert, key } = loopbackCert();
  const server = createHttpsServer({ cert, key, keepAlive: true } as never);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `https://127.0.0.1:${port}`;
  const agent = new Agent({ ca: cert, keepAlive: true });
  const client = new CosmosClient({ endpoint, key: EMULATOR_KEY, agent, connectionPolicy: { enableEndpointDiscovery: false } });
  const { database: db } = await client.databases.createIfNotExists({ id: database });
  for (const c of Object.values(CONTAINERS)) {
    await db.containers.createIfNotExists({ id: c.id, partitionKey: { paths: [c.partitionKey] } });
  }
  return {
    endpoint,
    key: EMULATOR_KEY,
    database,
    ca: cert,
    client,
    async stop() {
      client.dispose();
      agent.destroy();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
