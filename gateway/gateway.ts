// Builds a gateway instance from its config: clients, caches, the handler, and (optionally)
// the jobs worker. Both hosts (node:http and Azure Functions) start from here.
import { readFileSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import { CosmosClient } from '@azure/cosmos';
import type { GatewayConfig } from '../contracts/gateway-config.js';
import type { GatewayContext } from './context.js';
import { CONTAINERS } from '../contracts/cosmos-containers.js';
import { createLogger, type Logger } from './log.js';
import { createRouter } from './routing.js';
import { createRegistryReader } from './registry-reader.js';
import { replicaTrust } from './replica-trust.js';
import { createBalancer } from './balancer.js';
import { AgentClient } from './agent-client.js';
import { ResponseCache } from './response-cache.js';
import { CachePresence } from './cache-presence.js';
import { UsageMeter } from './usage-meter.js';
import { secretFromConfig } from './secrets.js';
import { createHandler, webHandler, type Handler, type WebHandler } from './handler.js';
import { JobsStore } from './jobs-store.js';
import { JobsService } from './jobs-service.js';
import { JobsWorker } from './jobs-worker.js';
import { runJobThroughGateway } from './jobs-run.js';
import { required } from '../lib/required.js';

export interface Gateway {
  ctx: GatewayContext;
  handle: Handler;
  /** The same handler as web-standard Request → Response. */
  handleWeb: WebHandler;
  worker: JobsWorker | undefined;
  /** Connects what can be connected (first registry read, jobs queue); failures are logged, not fatal. */
  start(opts?: { worker?: boolean }): Promise<void>;
  /** Stops the worker, waits for in-flight requests and usage writes (bounded), closes clients. */
  close(timeoutMs?: number): Promise<void>;
}

export async function createGateway(cfg: GatewayConfig, opts: { log?: Logger } = {}): Promise<Gateway> {
  const log = opts.log ?? createLogger(cfg.telemetry.logLevel);
  const ca = cfg.cosmos.caFile ? readFileSync(cfg.cosmos.caFile, 'utf8') : undefined;
  const cosmosAgent = new HttpsAgent({ keepAlive: true, ...(ca ? { ca } : {}) });
  // Without a key (Azure: the account has local auth off), the managed identity signs requests
  // through Cosmos data-plane RBAC; AZURE_CLIENT_ID names the user-assigned identity.
  const auth = cfg.cosmos.key
    ? { key: cfg.cosmos.key }
    : {
        aadCredentials: await import('@azure/identity').then(
          ({ DefaultAzureCredential }) => new DefaultAzureCredential({ managedIdentityClientId: process.env.AZURE_CLIENT_ID }),
        ),
      };
  const cosmos = new CosmosClient({
    endpoint: cfg.cosmos.endpoint,
    ...auth,
    agent: cosmosAgent,
    connectionPolicy: { enableEndpointDiscovery: false },
  });
  const db = cosmos.database(cfg.cosmos.database);
  const containers = {
    cache: db.container(CONTAINERS.cache.id),
    registry: db.container(CONTAINERS.registry.id),
    usage: db.container(CONTAINERS.usage.id),
    jobs: db.container(CONTAINERS.jobs.id),
  };
  const internalKey = secretFromConfig(cfg.secrets.internalServiceKey);
  const registry = createRegistryReader(containers.registry, cfg.registry, replicaTrust(cfg, internalKey));
  const presence =
    cfg.cache.enabled && cfg.cache.presence.enabled
      ? new CachePresence(
          containers.cache,
          { ttlSeconds: cfg.cache.ttlSeconds, expectedEntries: cfg.cache.presence.expectedEntries, syncMs: cfg.cache.presence.syncMs },
          log,
        )
      : undefined;
  const balancer = createBalancer();
  const agents = new AgentClient({ connectMs: cfg.deadlines.connectMs });
  const ctx: GatewayContext = {
    cfg,
    log,
    router: createRouter(cfg),
    registry,
    balancer,
    agents,
    cache: cfg.cache.enabled
      ? new ResponseCache(
          containers.cache,
          { ttlSeconds: cfg.cache.ttlSeconds, memoryEntries: cfg.cache.memoryEntries, memoryBytes: cfg.cache.memoryBytes },
          log,
          presence,
        )
      : undefined,
    meter: new UsageMeter(containers.usage, log, cfg.metering.lingerMs),
    backendSecret: secretFromConfig(cfg.secrets.backend),
    internalKey,
    cosmos,
    containers,
    jobs: undefined,
    dispatchDeps: {
      agents,
      registry,
      balancer,
      internalKey: async () => (await internalKey.values())[0],
      internalKeys: async () => [...(await internalKey.values())],
      deadlines: cfg.deadlines,
      log,
    },
    inFlight: { count: 0 },
    startedAt: Date.now(),
  };
  let worker: JobsWorker | undefined;
  if (cfg.storage) {
    const { QueueServiceClient } = await import('@azure/storage-queue');
    // Azure: the managed identity (AZURE_CLIENT_ID) with Storage Queue Data Contributor; locally: a connection string.
    const service = cfg.storage.connectionString
      ? QueueServiceClient.fromConnectionString(cfg.storage.connectionString)
      : new QueueServiceClient(
          required(cfg.storage.queueEndpoint, 'storage.queueEndpoint (the config schema requires it without a connection string)'),
          await import('@azure/identity').then(
            ({ DefaultAzureCredential }) => new DefaultAzureCredential({ managedIdentityClientId: process.env.AZURE_CLIENT_ID }),
          ),
        );
    const queue = service.getQueueClient(cfg.storage.jobsQueue);
    const store = new JobsStore(containers.jobs);
    ctx.jobs = new JobsService(store, queue, cfg.jobs);
    worker = new JobsWorker(queue, store, (job) => runJobThroughGateway(ctx, job), cfg.jobs, log.child({ component: 'jobs' }));
  }
  const handle = createHandler(ctx);
  return {
    ctx,
    handle,
    handleWeb: webHandler(handle),
    worker,
    async start(startOpts = {}) {
      await registry.refresh().catch((err) => log.warn('first registry read failed; will retry on demand', { err }));
      presence?.start();
      if (ctx.jobs) {
        await ctx.jobs.queue.createIfNotExists().catch((err) => log.warn('jobs queue not reachable', { err }));
        if (startOpts.worker ?? cfg.jobs.worker) worker?.start();
      }
    },
    async close(timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      await worker?.stop(timeoutMs);
      while (ctx.inFlight.count > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([ctx.meter.flush(), new Promise((r) => (timer = setTimeout(r, Math.max(0, until - Date.now()))))]);
      clearTimeout(timer);
      await presence?.stop();
      agents.close();
      cosmos.dispose();
      cosmosAgent.destroy();
    },
  };
}
