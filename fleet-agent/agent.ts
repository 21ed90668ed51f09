// Wires the agent together: key source, engine, HTTP server, registry, Scheduled Events, drain.
// The server listens before the model loads, so startup probes answer during a long load.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { FileKeySource, KeyVaultKeySource, StaticKeySource, type KeySource } from './auth/key-source.js';
import type { AgentConfig } from './config.js';
import { createEngine } from './engines/create-engine.js';
import type { Engine } from './engines/engine.js';
import { drainBudgetMs, ScheduledEventsWatcher, type ScheduledEvent } from './eviction/scheduled-events.js';
import { createAgentServer } from './http/agent-server.js';
import { ReplicaLifecycle } from './lifecycle.js';
import { createLogger, type Logger } from './log.js';
import { AgentMetrics } from './metrics.js';
import { RegistryWriter } from './registry/registry-writer.js';
import { required } from '../lib/required.js';

export interface AgentOptions {
  log?: Logger;
  /** Use this engine instead of building one from the config (tests that share an engine). */
  engine?: Engine;
  /** PEM text of the registry's CA (tests; the config's caFile does the same from a file). */
  registryCa?: string;
}

function createKeySource(auth: AgentConfig['auth'], log: Logger): KeySource {
  switch (auth.type) {
    case 'static':
      return new StaticKeySource(auth.keys);
    case 'file':
      return new FileKeySource(auth.path, log, auth.pollMs);
    case 'keyvault':
      return new KeyVaultKeySource(auth, log);
  }
}

/** The first private IPv4 address: what other VMs in the VNet reach us at. */
function privateAddress(): string {
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return '127.0.0.1';
}

export class Agent {
  readonly lifecycle: ReplicaLifecycle;
  registry?: RegistryWriter;
  /** The pool's registry secret, when it is not the internal key. */
  signingSecrets?: KeySource;
  private watcher?: ScheduledEventsWatcher;
  private drainDone?: Promise<void>;
  private url = '';

  private constructor(
    readonly config: AgentConfig,
    readonly engine: Engine,
    readonly keys: KeySource,
    readonly server: Server,
    readonly log: Logger,
    lifecycle: ReplicaLifecycle,
    readonly metrics: AgentMetrics,
  ) {
    this.lifecycle = lifecycle;
  }

  static async start(config: AgentConfig, options: AgentOptions = {}): Promise<Agent> {
    const log =
      options.log ?? createLogger(config.log.level, { service: 'gpuarb-agent', instance: config.instanceName, pool: config.pool });
    const keys = createKeySource(config.auth, log);
    await keys.start();
    const engine = options.engine ?? (await createEngine(config.engine, log));
    const lifecycle = new ReplicaLifecycle(engine);
    // The server's readiness check asks the agent's registry writer, which exists only later.
    let started: Agent | undefined;
    const metrics = new AgentMetrics();
    const server = createAgentServer({
      engine,
      keys,
      lifecycle,
      log,
      metrics,
      maxBodyBytes: config.limits.maxBodyBytes,
      slowClients: config.limits,
      defaultMaxTokens: config.limits.defaultMaxTokens,
      retryAfterSeconds: config.drain.retryAfterSeconds,
      publicMetrics: config.publicMetrics,
      logContent: config.log.content,
      accessLog: config.log.accessLog,
      registryUp: () => started?.registry?.isUp() ?? false,
    });
    const agent = new Agent(config, engine, keys, server, log, lifecycle, metrics);
    started = agent;
    await agent.listen();
    lifecycle.onChange((state) => {
      log.info('state', { state, reason: lifecycle.reason() });
      agent.registry?.publish();
    });
    await engine.start();
    engine.whenReady().then(
      () => log.info('engine ready', { engine: engine.kind, model: engine.model }),
      (e) => log.error('engine failed to load', { err: e }),
    );
    if (config.registry) {
      const { signingKey, ...registry } = config.registry;
      const signingSecrets = signingKey ? createKeySource(signingKey, log) : keys;
      if (signingKey) {
        await signingSecrets.start();
        agent.signingSecrets = signingSecrets;
      }
      agent.registry = new RegistryWriter(
        { ...registry, ca: options.registryCa },
        () => agent.registryDoc(),
        log.child({ component: 'registry' }),
        () => signingSecrets.keys(),
      );
      await agent.registry.start();
    }
    if (config.scheduledEvents.enabled) {
      agent.watcher = new ScheduledEventsWatcher(
        { url: config.scheduledEvents.url, pollMs: config.scheduledEvents.pollMs, instanceName: config.instanceName },
        (e) => agent.onEviction(e),
        log.child({ component: 'scheduled-events' }),
      );
      agent.watcher.start();
    }
    return agent;
  }

  /** Base URL of the OpenAI API (what the registry advertises). */
  baseUrl(): string {
    return this.url;
  }
  port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  registryDoc() {
    const load = this.engine.load();
    return {
      id: this.config.instanceName,
      pool: this.config.pool,
      model: this.engine.model,
      address: this.url,
      state: this.lifecycle.state(),
      inFlight: this.lifecycle.inFlightCount(),
      queue: load.waiting,
      tokensPerSecond: this.metrics.tokenRate.perSecond(),
      zone: this.config.zone,
      priority: this.config.priority,
      engine: this.engine.kind,
      simulated: this.engine.simulated,
    };
  }

  /** Begins draining (idempotent): readiness fails and the registry says draining at once. */
  drain(reason: string, budgetMs: number): Promise<void> {
    if (!this.lifecycle.startDraining(reason)) return this.drainDone ?? Promise.resolve();
    const started = Date.now();
    this.drainDone = this.lifecycle.waitIdle(budgetMs).then((idle) => {
      this.log.info(idle ? 'drained' : 'drain deadline reached with requests in flight', {
        reason,
        ms: Date.now() - started,
        inFlight: this.lifecycle.inFlightCount(),
      });
    });
    return this.drainDone;
  }

  /** Clean stop (SIGTERM): drain within the grace period, then remove the registry entry. */
  async stop(graceMs = this.config.drain.sigtermGraceMs): Promise<void> {
    this.watcher?.stop();
    await this.drain('shutdown', graceMs);
    await this.registry?.stop(true);
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    await this.engine.stop();
    this.keys.stop();
    this.signingSecrets?.stop();
    this.log.info('stopped');
  }

  private onEviction(event: ScheduledEvent): void {
    this.metrics.evictions.inc();
    const { marginMs, defaultNoticeMs } = this.config.scheduledEvents;
    const budget = drainBudgetMs(event, Date.now(), marginMs, defaultNoticeMs);
    void this.drain(`eviction ${event.EventType}`, budget).then(async () => {
      try {
        // Only the watcher reports evictions, so it exists whenever this runs.
        await required(this.watcher, 'the Scheduled Events watcher').acknowledge(event.EventId);
        this.log.info('eviction acknowledged', { eventId: event.EventId });
      } catch (e) {
        this.log.error('eviction acknowledge failed', { eventId: event.EventId, err: e });
      }
      // The VM is about to disappear: take it out of the registry rather than wait for staleness.
      await this.registry?.stop(true);
    });
  }

  private listen(): Promise<void> {
    const { host, port } = this.config.listen;
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const actual = (this.server.address() as AddressInfo).port;
        this.url =
          this.config.advertiseUrl?.replace(/\/$/, '') ??
          `http://${host === '0.0.0.0' || host === '::' ? privateAddress() : host}:${actual}`;
        this.log.info('listening', { url: this.url, host, port: actual });
        resolve();
      });
    });
  }
}
