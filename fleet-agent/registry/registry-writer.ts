// Publishes this replica's RegistryDoc to Cosmos (container `registry`, partition `/pool`):
// every heartbeat and at once on every state change; deletes it on a clean stop. Writes are
// serialised and coalesced (the newest state wins), each bounded by a timeout, and a Cosmos
// outage only costs log lines: serving never waits on the registry.
import { Agent as HttpsAgent } from 'node:https';
import { readFileSync } from 'node:fs';
import type { Container } from '@azure/cosmos';
import { type RegistryDoc, registryKey, registrySignature } from '../../contracts/registry.js';
import type { Logger } from '../log.js';

export interface RegistryWriterOptions {
  endpoint: string;
  key?: string;
  clientId?: string;
  database: string;
  container: string;
  heartbeatMs: number;
  caFile?: string;
  /** PEM text of a CA to trust (alternative to caFile, for tests). */
  ca?: string;
  rejectUnauthorized: boolean;
  createIfMissing: boolean;
  requestTimeoutMs: number;
  ttlSeconds?: number;
}

export class RegistryWriter {
  private container?: Container;
  private client?: import('@azure/cosmos').CosmosClient;
  private timer?: NodeJS.Timeout;
  private writing: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  /** null until the first write: the first failure is logged too. */
  private up: boolean | null = null;
  private writes = 0;

  constructor(
    private readonly opts: RegistryWriterOptions,
    private readonly snapshot: () => Omit<RegistryDoc, 'lastSeen'>,
    private readonly log: Logger,
    /** The pool's registry secrets (or the internal service keys), current first: the current one signs each entry. */
    private readonly internalKeys: () => readonly string[],
  ) {}

  isUp(): boolean {
    return this.up === true;
  }
  /** Successful writes so far (tests wait on it). */
  writeCount(): number {
    return this.writes;
  }

  async start(): Promise<void> {
    // @azure/cosmos is imported lazily: it is only needed once the server is already listening.
    const { CosmosClient } = await import('@azure/cosmos');
    const ca = this.opts.ca ?? (this.opts.caFile ? readFileSync(this.opts.caFile, 'utf8') : undefined);
    // In Azure the VM's managed identity signs requests (data-plane RBAC), so no key is on the VM.
    const auth = this.opts.key
      ? { key: this.opts.key }
      : {
          aadCredentials: await import('@azure/identity').then(({ ManagedIdentityCredential }) =>
            this.opts.clientId ? new ManagedIdentityCredential({ clientId: this.opts.clientId }) : new ManagedIdentityCredential(),
          ),
        };
    const client = new CosmosClient({
      endpoint: this.opts.endpoint,
      ...auth,
      agent: new HttpsAgent({ keepAlive: true, ca, rejectUnauthorized: this.opts.rejectUnauthorized }),
      // One region, one endpoint: discovery would only add a round trip (and the local server
      // advertises itself by a hostname we may not resolve).
      connectionPolicy: { enableEndpointDiscovery: false, requestTimeout: this.opts.requestTimeoutMs },
    });
    this.client = client;
    this.container = client.database(this.opts.database).container(this.opts.container);
    if (this.opts.createIfMissing) {
      await this.ensureContainer(client).catch((e) => this.markDown(e));
    }
    this.timer = setInterval(() => this.publish(), this.opts.heartbeatMs);
    this.timer.unref();
    this.publish();
  }

  /** Writes the current snapshot now (or right after the write in progress). */
  publish(): void {
    const container = this.container;
    if (this.stopped || !container) return;
    if (this.writing) {
      this.again = true;
      return;
    }
    this.writing = this.writeLoop(container).finally(() => {
      this.writing = null;
    });
  }

  /** Waits for the write in progress (and any queued one). */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** Stops heartbeats; `remove` deletes the document (clean stop). */
  async stop(remove: boolean): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    this.stopped = true;
    if (!remove || !this.container) return;
    const doc = this.snapshot();
    try {
      await this.container.item(doc.id, doc.pool).delete({ abortSignal: AbortSignal.timeout(this.opts.requestTimeoutMs) });
      this.log.info('registry entry removed', { id: doc.id, pool: doc.pool });
    } catch (e) {
      if ((e as { code?: unknown }).code !== 404) this.log.warn('registry entry not removed', { err: e });
    }
  }

  private async writeLoop(container: Container): Promise<void> {
    do {
      this.again = false;
      const doc: RegistryDoc = { ...this.snapshot(), lastSeen: Date.now() };
      if (this.opts.ttlSeconds) doc.ttl = this.opts.ttlSeconds;
      // The gateway routes only to entries signed with the pool's key: what a mere Cosmos writer
      // puts in the container is ignored.
      const key = this.signingKey(doc.pool);
      if (key) doc.sig = registrySignature(key, doc);
      try {
        await container.items.upsert(doc, { abortSignal: AbortSignal.timeout(this.opts.requestTimeoutMs) });
        this.writes++;
        if (this.up === false) this.log.info('registry reconnected', { endpoint: this.opts.endpoint });
        this.up = true;
      } catch (e) {
        this.markDown(e);
        // The local cloud's Cosmos starts empty; create what is missing and write again next beat.
        if ((e as { code?: unknown }).code === 404 && this.opts.createIfMissing && this.client) {
          await this.ensureContainer(this.client).catch(() => undefined);
        }
      }
    } while (this.again && !this.stopped);
  }

  private signing?: { internal: string; pool: string; key: Buffer };
  private signingKey(pool: string): Buffer | undefined {
    const internal = this.internalKeys()[0];
    if (!internal) return undefined;
    if (this.signing?.internal !== internal || this.signing.pool !== pool)
      this.signing = { internal, pool, key: registryKey(internal, pool) };
    return this.signing.key;
  }

  private markDown(e: unknown): void {
    // Log the transition, not every heartbeat: an outage must not flood the log.
    if (this.up !== false)
      this.log.warn('registry unreachable; serving continues, retrying every heartbeat', { endpoint: this.opts.endpoint, err: e });
    this.up = false;
  }

  private async ensureContainer(client: import('@azure/cosmos').CosmosClient): Promise<void> {
    const { database } = await client.databases.createIfNotExists({ id: this.opts.database });
    await database.containers.createIfNotExists({ id: this.opts.container, partitionKey: { paths: ['/pool'] } });
  }
}
