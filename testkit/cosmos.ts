// The local cloud's Cosmos server (emulator/runtime/services/cosmos.ts) in this process on a
// loopback port over https, with the test certificate. Two levels: a bare server (the fleet
// agent creates what it needs itself; restarting on the same port simulates an outage and
// recovery), and one with the gateway's database, containers and a client. The server ignores
// the partitionKey query option and never expires items (TTL), which is exactly why the gateway
// enforces expiry itself; tests rely on that.
import { CosmosClient } from '@azure/cosmos';
import { Agent } from 'node:https';
import { CONTAINERS } from '../contracts/cosmos-containers.js';
import { LOCAL_COSMOS_KEY, startCosmosService } from '../emulator/runtime/services/cosmos.js';
import { testCert, type TestCert } from './tls.js';

/** The well-known emulator key; the server accepts any key. */
const EMULATOR_KEY = LOCAL_COSMOS_KEY;

export interface LocalCosmos {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

/** A bare Cosmos server on port 0 or a given port, serving `cert`. */
export async function startLocalCosmos(cert: TestCert = testCert(), port = 0): Promise<LocalCosmos> {
  const service = await startCosmosService({ certPem: cert.cert, keyPem: cert.key }, port);
  return { endpoint: `https://127.0.0.1:${service.port}`, port: service.port, close: () => service.stop() };
}

export interface TestCosmos {
  endpoint: string;
  key: string;
  database: string;
  ca: string;
  client: CosmosClient;
  stop(): Promise<void>;
}

/** A Cosmos server with `database` and the gateway's containers, and a client that trusts it. */
export async function startTestCosmos(database = 'gpuarb'): Promise<TestCosmos> {
  const cert = testCert();
  const server = await startLocalCosmos(cert);
  const { endpoint } = server;
  const agent = new Agent({ ca: cert.ca, keepAlive: true });
  const client = new CosmosClient({ endpoint, key: EMULATOR_KEY, agent, connectionPolicy: { enableEndpointDiscovery: false } });
  const { database: db } = await client.databases.createIfNotExists({ id: database });
  for (const c of Object.values(CONTAINERS)) {
    await db.containers.createIfNotExists({ id: c.id, partitionKey: { paths: [c.partitionKey] } });
  }
  return {
    endpoint,
    key: EMULATOR_KEY,
    database,
    ca: cert.ca,
    client,
    async stop() {
      client.dispose();
      agent.destroy();
      await server.close();
    },
  };
}
