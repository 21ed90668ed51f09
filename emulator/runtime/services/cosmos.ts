// A Cosmos DB (SQL API) endpoint on this machine: @vercel/cosmosdb-server in this process, over
// https with the local cloud's certificate (the package ships an expired one). It accepts any
// key, does not enforce TTL and ignores the partitionKey query option (DESIGN.md), which is why
// readers of `registry` and `cache` check lastSeen/expiry themselves.
import { createHttpsServer } from '@vercel/cosmosdb-server';
import type { AddressInfo } from 'node:net';

/** The well-known Cosmos emulator key; any key is accepted, this one is what listKeys returns. */
export const LOCAL_COSMOS_KEY = 'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';

export interface CosmosService {
  endpoint: string;
  port: number;
  key: string;
  stop(): Promise<void>;
}

export async function startCosmosService(tls: { certPem: string; keyPem: string }, port = 0): Promise<CosmosService> {
  const server = createHttpsServer({ cert: tls.certPem, key: tls.keyPem, keepAlive: true } as never);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    endpoint: `https://127.0.0.1:${actual}/`,
    port: actual,
    key: LOCAL_COSMOS_KEY,
    stop: async () => {
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
