// The data services of the local cloud, started on first need and shared by every account of
// that type: one Cosmos server (every account's documentEndpoint), one Azurite (every storage
// account's blob and queue endpoints). Containers and queues created through ARM are created in
// them too, so what `up` provisions exists where the processes look for it.
import { Agent } from 'node:https';
import type { Json } from '../core/store.js';
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzuriteService, type AzuriteService } from './services/azurite.js';
import { startCosmosService, type CosmosService } from './services/cosmos.js';
import { startAuthFront, type AuthFront } from './services/auth-front.js';
import type { DataAuth } from '../core/data-auth.js';
import { storageDecider } from './storage-auth.js';

export class LocalServices {
  private cosmosP: Promise<CosmosService> | undefined;
  private azuriteP: Promise<AzuriteService> | undefined;
  private cosmosReady: CosmosService | undefined;
  private azuriteReady: AzuriteService | undefined;
  private readonly fronts = new Map<string, Promise<{ blob: AuthFront; queue: AuthFront }>>();

  constructor(
    private readonly opts: {
      tls: { certPem: string; keyPem: string; caCertPem: string; certFile: string; keyFile: string };
      stateDir: string;
      persistStorage: boolean;
      dataAuth: DataAuth;
    },
  ) {}

  /**
   * A storage account's blob and queue endpoints: authorisation fronts (storage-auth.ts) before
   * the shared Azurite, one pair per account so each enforces its own account's settings and roles.
   */
  storageEndpoints(accountId: string, account: () => Json | undefined): Promise<{ blob: string; queue: string }> {
    const key = accountId.toLowerCase();
    let p = this.fronts.get(key);
    if (!p) {
      p = this.azurite().then(async (az) => {
        const tls = this.opts.tls;
        const front = (upstream: string, service: 'blob' | 'queue') =>
          startAuthFront({ tls, upstream: new URL(upstream).origin, decide: storageDecider(this.opts.dataAuth, account, service) });
        const [blob, queue] = await Promise.all([front(az.blobEndpoint, 'blob'), front(az.queueEndpoint, 'queue')]);
        return { blob, queue };
      });
      this.fronts.set(key, p);
    }
    return p.then(({ blob, queue }) => ({ blob: `${blob.origin}/${AZURITE_ACCOUNT}`, queue: `${queue.origin}/${AZURITE_ACCOUNT}` }));
  }

  cosmos(): Promise<CosmosService> {
    this.cosmosP ??= startCosmosService(this.opts.tls).then((c) => (this.cosmosReady = c));
    return this.cosmosP;
  }

  azurite(): Promise<AzuriteService> {
    this.azuriteP ??= startAzuriteService({
      location: this.opts.persistStorage ? `${this.opts.stateDir}/azurite` : undefined,
      tls: { certFile: this.opts.tls.certFile, keyFile: this.opts.tls.keyFile },
    }).then((a) => (this.azuriteReady = a));
    return this.azuriteP;
  }

  cosmosInfo(): { endpoint: string; key: string } {
    if (!this.cosmosReady) throw new Error('the local Cosmos server is not started yet (no Cosmos account provisioned)');
    return { endpoint: this.cosmosReady.endpoint, key: this.cosmosReady.key };
  }

  azuriteInfo(): AzuriteService | undefined {
    return this.azuriteReady;
  }

  /** ARM created .../sqlDatabases/{db}/containers/{c}: create it in the local server. */
  async createCosmosContainer(doc: Json): Promise<void> {
    const cosmos = await this.cosmos();
    const { CosmosClient } = await import('@azure/cosmos');
    const agent = new Agent({ ca: this.opts.tls.caCertPem });
    const client = new CosmosClient({
      endpoint: cosmos.endpoint,
      key: cosmos.key,
      agent,
      connectionPolicy: { enableEndpointDiscovery: false },
    });
    try {
      const dbName = doc.id.split('/sqlDatabases/')[1].split('/')[0];
      const { database } = await client.databases.createIfNotExists({ id: dbName });
      const resource = doc.properties?.resource ?? {};
      await database.containers.createIfNotExists({
        id: resource.id ?? doc.name,
        partitionKey: resource.partitionKey ?? { paths: ['/id'] },
        defaultTtl: resource.defaultTtl,
      });
    } finally {
      client.dispose();
      agent.destroy();
    }
  }

  async createBlobContainer(name: string): Promise<void> {
    const az = await this.azurite();
    const { BlobServiceClient, StorageSharedKeyCredential } = await import('@azure/storage-blob');
    const client = new BlobServiceClient(az.blobEndpoint, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY), this.trust());
    await client.getContainerClient(name).createIfNotExists();
  }

  async createQueue(name: string): Promise<void> {
    const az = await this.azurite();
    const { QueueServiceClient, StorageSharedKeyCredential } = await import('@azure/storage-queue');
    const client = new QueueServiceClient(az.queueEndpoint, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY), this.trust());
    await client.getQueueClient(name).createIfNotExists();
  }

  /** Storage clients trust the local CA through the pipeline's TLS options. */
  private trust(): object {
    return { tlsOptions: { ca: this.opts.tls.caCertPem } };
  }

  async stop(): Promise<void> {
    const fronts = await Promise.all([...this.fronts.values()].map((f) => f.catch(() => undefined)));
    await Promise.all(fronts.flatMap((f) => (f ? [f.blob.stop(), f.queue.stop()] : [])));
    const [c, a] = await Promise.all([this.cosmosP?.catch(() => undefined), this.azuriteP?.catch(() => undefined)]);
    await Promise.all([c?.stop(), a?.stop()]);
  }
}
