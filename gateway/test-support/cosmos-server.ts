// Starts @vercel/cosmosdb-server in this process on a free loopback port over https, with our
// own certificate, and creates the gateway's containers. The server ignores the partitionKey
// query option and never expires items (TTL), which is exactly why the gateway enforces expiry
// itself; tests rely on that.
import { LOCAL_COSMOS_KEY, startCosmosService } from '../../emulator/runtime/services/cosmos.js';
import { CosmosClient } from '@azure/cosmos';
import { Agent } from 'node:https';
import { loopbackCert } from './tls-cert.js';
import { CONTAINERS } from '../../contracts/cosmos-containers.js';

/** The well-known emulator key; the server accepts any key. */
export const EMULATOR_KEY = LOCAL_COSMOS_KEY;

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
  const server = await startCosmosService({ certPem: cert, keyPem: key });
  const endpoint = `https://127.0.0.1:${server.port}`;
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
      await server.stop();
    },
  };
}
