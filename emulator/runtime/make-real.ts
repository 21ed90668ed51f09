// Makes provisioned resources real on this machine, through the emulator's lifecycle hooks
// (emulator/core/behavior.ts): Cosmos accounts → a local Cosmos server, storage accounts →
// Azurite, VMs → agent processes, a function app deployment → a gateway process, API Management →
// the local policy-enforcing proxy, Key Vault secrets → key files the processes watch, and their
// logs → the Logs Ingestion API (as each process's identity). The ARM code path is unchanged: only the endpoints differ.
import { ensurePrivateDir } from '../../lib/private-files.js';
import { join } from 'node:path';
import type { BehaviorRegistry } from '../core/behavior.js';
import type { Store } from '../core/store.js';
import type { Json } from '../core/store.js';
import { AgentFleet } from './agent-fleet.js';
import type { SecretReader } from './apim-model.js';
import { ApimHosts } from './apim-hosts.js';
import { GatewayHost } from './gateway-host.js';
import { LogIngester, logLineToRow, type LogSink } from './log-ingest.js';
import { logRoute } from './log-routes.js';
import { LocalServices } from './local-services.js';
import { gatewaySettings, KEY_SECRETS, RESOURCE_TYPES, resourceGroupOf, writeKeyFiles } from './platform-resources.js';
import { ProcessGroup } from './services/processes.js';
import { AutoscaleEngine, type ArmAccess } from './autoscale-engine.js';
import { bootstrapFailureLine, guestOf } from './guest.js';
import { HealthMonitor } from './health-monitor.js';
import type { DataAuth } from '../core/data-auth.js';

export interface PlatformRuntimeOptions {
  emulator: { store: Store; behaviors: BehaviorRegistry; stateDir: string };
  tls: { certPem: string; keyPem: string; caCertPem: string; caCertPath: string };
  scheduledEvents: { urlFor(vmName: string): string };
  secrets: SecretReader;
  logs?: LogSink;
  /** ARM access for the autoscale evaluator (it scales through ARM, as Azure's does). */
  arm?: ArmAccess;
  /** Persist Azurite's data under the state dir (the daemon) or keep it in memory (tests). */
  persistStorage?: boolean;
  /** Scales the health extension's and automatic repairs' documented durations (tests shorten them). */
  healthTimeScale?: number;
  /** Tokens and role assignments, for the Storage and Cosmos fronts. */
  dataAuth: DataAuth;
}

export class PlatformRuntime {
  readonly group: ProcessGroup;
  readonly services: LocalServices;
  readonly fleet: AgentFleet;
  readonly gateway: GatewayHost;
  private readonly apim: ApimHosts;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly unhook: (() => void)[] = [];
  private readonly ingester: LogIngester;
  private readonly dir: string;
  readonly autoscale: AutoscaleEngine | undefined;
  readonly health: HealthMonitor;

  constructor(private readonly opts: PlatformRuntimeOptions) {
    const emu = opts.emulator;
    this.dir = join(emu.stateDir, 'runtime');
    ensurePrivateDir(this.dir);
    ensurePrivateDir(join(this.dir, 'keys'));
    // Processes trust the local CA (Cosmos, Azurite and the ARM endpoint serve its certificate).
    this.group = new ProcessGroup({ NODE_EXTRA_CA_CERTS: opts.tls.caCertPath });
    const tlsFiles = { certFile: join(emu.stateDir, 'server-cert.pem'), keyFile: join(emu.stateDir, 'server-key.pem') };
    this.services = new LocalServices({
      tls: { ...opts.tls, ...tlsFiles },
      stateDir: this.dir,
      persistStorage: opts.persistStorage ?? false,
      dataAuth: opts.dataAuth,
    });
    // Azure's autoscale engine writes its own activity log, not the platform's table: the daemon log.
    const daemonLog = (msg: string) => process.stderr.write(`${msg}\n`);
    this.autoscale = opts.arm ? new AutoscaleEngine(emu.store, opts.arm, daemonLog) : undefined;
    this.ingester = new LogIngester(opts.logs ?? { upload: () => ({ status: 204 }) }, (writer) => logRoute(emu.store, writer), daemonLog);
    const caFile = opts.tls.caCertPath;
    this.fleet = new AgentFleet({
      group: this.group,
      stateDir: this.dir,
      cosmos: () => ({ ...this.services.cosmosInfo(), caFile }),
      internalKeysFile: this.keysFile(KEY_SECRETS.internal),
      onLogLine: (vm, line) =>
        this.ingester.add(
          `agent:${vm}`,
          logLineToRow(line, { component: 'agent', pool: this.fleet.get(vm)?.spec.pool ?? null, instance: vm }),
        ),
    });
    this.health = new HealthMonitor({
      store: emu.store,
      guestUrl: (vm) => this.fleet.get(vm)?.url,
      restartGuest: async (vm) => {
        await this.fleet.stop(vm.name);
        await this.onVm(vm);
      },
      arm: opts.arm,
      // Repairs are Azure's own actions: they go to the daemon log (Azure shows them in the activity
      // log, not in the workspace the platform's writers post to).
      log: (msg) => daemonLog(`repairs: ${msg}`),
      timeScale: opts.healthTimeScale,
    });
    this.apim = new ApimHosts(emu.store, opts.secrets, opts.tls, (url) => this.resolveBackend(url));
    this.gateway = new GatewayHost({
      group: this.group,
      stateDir: this.dir,
      cosmos: () => ({ ...this.services.cosmosInfo(), caFile, database: 'gpuarb' }),
      storageConnectionString: () => this.services.azuriteInfo()?.connectionString,
      jobsQueue: 'gpuarb-jobs',
      backendKeysFile: this.keysFile(KEY_SECRETS.backend),
      internalKeysFile: this.keysFile(KEY_SECRETS.internal),
      onLogLine: (line) => this.ingester.add('gateway', logLineToRow(line, { component: 'gateway' })),
    });
  }

  keysFile(secret: string): string {
    return join(this.dir, 'keys', `${secret}.txt`);
  }

  /** Registers the hooks and starts the background sync of keys and health. */
  attach(): this {
    const b = this.opts.emulator.behaviors;
    const hook = (type: string, h: Parameters<typeof b.addHook>[1]) => this.unhook.push(b.addHook(type, h));
    hook(RESOURCE_TYPES.cosmos, { provisioned: (doc) => this.onCosmosAccount(doc) });
    hook(RESOURCE_TYPES.cosmosContainer, { provisioned: (doc) => this.services.createCosmosContainer(doc) });
    hook(RESOURCE_TYPES.storage, { provisioned: (doc) => this.onStorageAccount(doc) });
    hook(RESOURCE_TYPES.blobContainer, { provisioned: (doc) => this.services.createBlobContainer(doc.name) });
    hook(RESOURCE_TYPES.queue, { provisioned: (doc) => this.services.createQueue(doc.name) });
    hook(RESOURCE_TYPES.vm, {
      provisioned: (doc) => this.onVm(doc),
      deleted: (doc) => {
        this.health.forget(doc.name);
        return this.fleet.stop(doc.name);
      },
    });
    hook(RESOURCE_TYPES.siteExtension, { provisioned: (doc) => this.onDeploy(doc) });
    hook(RESOURCE_TYPES.site, { deleted: () => this.gateway.stop() });
    hook(RESOURCE_TYPES.apim, { provisioned: (doc) => this.apim.start(doc), deleted: (doc) => this.apim.stop(doc) });
    this.syncKeys();
    this.timers.push(setInterval(() => this.syncKeys(), 1000));
    this.health.start();
    this.autoscale?.start();
    return this;
  }

  /**
   * After a daemon restart the resources are still in ARM but nothing runs: bring them back in
   * dependency order (data services, then VMs, the gateway and API Management). Failures are
   * logged per resource and do not stop the others.
   */
  async resume(log: (msg: string) => void = () => undefined): Promise<void> {
    const all = this.store().all();
    const ofType = (t: string) => all.filter((r) => r.type.toLowerCase() === t.toLowerCase()).map((r) => r.doc);
    const run = async (docs: Json[], fn: (d: Json) => Promise<unknown>) => {
      await Promise.all(docs.map((d) => fn(d).catch((e: Error) => log(`resume ${d.id}: ${e.message}`))));
    };
    await run(ofType(RESOURCE_TYPES.cosmos), (d) => this.onCosmosAccount(d));
    await run(ofType(RESOURCE_TYPES.storage), (d) => this.onStorageAccount(d));
    await run(ofType(RESOURCE_TYPES.cosmosContainer), (d) => this.services.createCosmosContainer(d));
    await run([...ofType(RESOURCE_TYPES.blobContainer), ...ofType(RESOURCE_TYPES.queue)], (d) =>
      /\/queues\//i.test(d.id) ? this.services.createQueue(d.name) : this.services.createBlobContainer(d.name),
    );
    this.syncKeys();
    await run(
      ofType(RESOURCE_TYPES.vm).filter((d) => d.properties?.instanceView?.statuses?.some((s: Json) => s.code === 'PowerState/running')),
      (d) => this.onVm(d),
    );
    await run(ofType(RESOURCE_TYPES.siteExtension), (d) => this.onDeploy(d));
    await run(ofType(RESOURCE_TYPES.apim), (d) => this.apim.start(d));
  }

  private store() {
    return this.opts.emulator.store;
  }

  private async onCosmosAccount(doc: Json): Promise<void> {
    const cosmos = await this.services.cosmos();
    doc.properties.documentEndpoint = cosmos.endpoint;
    for (const l of [...(doc.properties.writeLocations ?? []), ...(doc.properties.readLocations ?? [])])
      l.documentEndpoint = cosmos.endpoint;
    this.store().changed();
  }

  private async onStorageAccount(doc: Json): Promise<void> {
    const ep = await this.services.storageEndpoints(doc.id, () => this.store().get(doc.id)?.doc);
    doc.properties.primaryEndpoints = { ...doc.properties.primaryEndpoints, blob: `${ep.blob}/`, queue: `${ep.queue}/` };
    this.store().changed();
  }

  private syncKeys(): void {
    writeKeyFiles(this.store(), this.opts.secrets, (secret) => this.keysFile(secret));
  }

  /**
   * A VM boots: its health extension starts (Initializing), and the guest runs what its
   * customData says. Only gpuarb's bootstrap is played (as the agent process), and only with
   * outbound internet: without it the bootstrap's first download times out, as on Azure.
   */
  private async onVm(vm: Json): Promise<void> {
    this.health.guestStarted(vm);
    const guest = guestOf(this.store(), vm);
    if (!guest.gpuarbBootstrap) return; // just a VM: nothing of ours runs in it
    if (!guest.outbound.internet) {
      const where = { component: 'bootstrap', pool: vm.tags?.['gpuarb-pool'] ?? null, instance: vm.name };
      this.ingester.add(`agent:${vm.name}`, logLineToRow(bootstrapFailureLine(guest.outbound.reason), where));
      return;
    }
    await this.services.cosmos();
    const vmss = guest.vmss;
    const pool = vmss?.tags?.['gpuarb-pool'] ?? vm.tags?.['gpuarb-pool'] ?? vmss?.name ?? 'default';
    const model = vmss?.tags?.['gpuarb-model'] ?? vm.tags?.['gpuarb-model'] ?? pool;
    await this.fleet.start({
      vmName: vm.name,
      pool,
      model,
      sku: vmss?.sku?.name ?? vm.properties?.hardwareProfile?.vmSize ?? '',
      zone: vm.zones?.[0] ?? null,
      priority: vm.properties?.priority === 'Regular' ? 'Regular' : 'Spot',
      scheduledEventsUrl: this.opts.scheduledEvents.urlFor(vm.name),
      simLoad: guest.simLoad,
    });
  }

  private async onDeploy(ext: Json): Promise<void> {
    if (ext.name.toLowerCase() !== 'onedeploy') return;
    const siteId = ext.id.slice(0, ext.id.toLowerCase().lastIndexOf('/extensions/'));
    const settings = gatewaySettings(this.store(), resourceGroupOf(siteId));
    if (!settings) return;
    await Promise.all([this.services.cosmos(), this.services.azurite()]);
    await this.gateway.deploy(siteId.slice(siteId.lastIndexOf('/') + 1), ext.properties?.packageUri ?? 'local', settings);
  }

  /** https://<app>.azurewebsites.net/v1/... → the local gateway process, same path. */
  private resolveBackend(url: string): string {
    const gw = this.gateway.current;
    if (!gw || !/\.azurewebsites\.net/i.test(url)) return url;
    return gw.url.replace(/\/$/, '') + new URL(url).pathname;
  }

  /** Where the gateway process listens, once a deployment runs. */
  localGatewayUrl(): string | undefined {
    return this.gateway.current?.url;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.health.stop();
    this.autoscale?.stop();
    for (const u of this.unhook) u();
    this.ingester.flush();
    await this.apim.stopAll();
    await this.gateway.stop();
    await this.group.stopAll(5000);
    await this.services.stop();
  }
}
