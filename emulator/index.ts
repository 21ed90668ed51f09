// Library entry point of the local cloud: `startEmulator()` serves ARM (and the data planes)
// over HTTPS on loopback with its own CA, for tests (port 0, temp state) and for the daemon.
import { mkdtempSync, rmSync } from 'node:fs';
import { ensurePrivateDir } from '../lib/private-files.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { loadOrCreateTls } from './core/certs.js';
import { loadOrCreateOperator } from './core/entra-tokens.js';
import { createDataAuth } from './core/data-auth.js';
import { Store } from './core/store.js';
import { EmulatorCore } from './core/emulator-core.js';
import { createEmulatorServer } from './core/server.js';
import { createControl, createControlHandler, type EmulatorControl } from './core/control.js';
import type { BehaviorRegistry } from './core/behavior.js';
import type { DataPlaneDeps, DataPlaneFactory, DataPlaneHandler, ScheduledEventsSink } from './core/dataplane-contract.js';
import type { Profile } from './core/profiles.js';
import { registerAllTypes } from './providers/index.js';
import { connectScheduledEvents, mountHttpsDataPlanes, mountSpotData } from './core/mount-dataplanes.js';
import { createScheduledEvents, type ScheduledEventsService } from './dataplanes/index.js';
import { PlatformRuntime } from './runtime/make-real.js';

export interface StartEmulatorOptions {
  /** 0 (default) = a free port. */
  port?: number;
  /** Persisted state dir; a temp dir (removed on stop) when omitted. */
  stateDir?: string;
  profile?: Profile;
  latencyScale?: number;
  seed?: number;
  subscriptionId?: string;
  /**
   * Make resources real (emulator/runtime/make-real.ts): VMs run agents, the function app runs the
   * gateway, API Management a local proxy, Cosmos and storage local servers. Off for API tests.
   */
  platform?: boolean | { persistStorage?: boolean; healthTimeScale?: number };
  /** Extra data planes to mount (see core/dataplane-contract.ts), tried after the standard ones. */
  dataPlanes?: DataPlaneFactory[];
  /** Mount Key Vault, Log Analytics and Retail Prices from emulator/dataplanes (default true). */
  standardDataPlanes?: boolean;
  /** Where Preempt notices go (the IMDS module). */
  scheduledEvents?: ScheduledEventsSink;
  /** Delay before a new role assignment takes effect on the data planes (Azure: minutes); default 0. */
  rbacPropagationMs?: number;
}

export interface Emulator {
  endpoint: string;
  caCertPem: string;
  caCertPath: string;
  subscriptionId: string;
  stateDir: string;
  port: number;
  /** The operator's bearer token (an Entra-shaped JWT; its `oid` is `operatorObjectId`). */
  token: string;
  /** The signed-in operator's object id: the principal role assignments name to grant it data access. */
  operatorObjectId: string;
  credential: TokenCredential;
  control: EmulatorControl;
  behaviors: BehaviorRegistry;
  store: Store;
  core: EmulatorCore;
  /** Present when started with `platform`: the processes and local services behind the resources. */
  platform?: PlatformRuntime;
  /** Swap the Scheduled Events sink (IMDS) after start. */
  setScheduledEventsSink(sink: ScheduledEventsSink): void;
  /** SDK client options that trust the emulator: `{ endpoint, tlsOptions: { ca } }`. */
  clientOptions(): { endpoint: string; tlsOptions: { ca: string } };
  stop(): Promise<void>;
}

export const DEFAULT_SUBSCRIPTION_ID = '00000000-0000-4000-8000-00000000a2b0';

export async function startEmulator(opts: StartEmulatorOptions = {}): Promise<Emulator> {
  const temp = !opts.stateDir;
  const stateDir = opts.stateDir ?? mkdtempSync(join(tmpdir(), 'gpuarb-emulator-'));
  ensurePrivateDir(stateDir); // its files hold every secret of the local cloud
  const tls = loadOrCreateTls(stateDir);
  const operator = loadOrCreateOperator(stateDir);
  const token = operator.token;
  // A temp state dir dies with the emulator, so its state is kept in memory only (no disk writes).
  const store = new Store(temp ? undefined : stateDir);
  const subscriptionId = opts.subscriptionId ?? DEFAULT_SUBSCRIPTION_ID;
  const core = new EmulatorCore(store, subscriptionId, {
    seed: opts.seed ?? 1,
    profile: opts.profile ?? 'fast',
    latencyScale: opts.latencyScale ?? 1,
  });
  let sink: ScheduledEventsSink | undefined = opts.scheduledEvents;
  core.registerService('scheduledEvents', {
    publish: (vm, ev) => sink?.publish(vm, ev),
    complete: (vm, id) => sink?.complete?.(vm, id),
  } satisfies ScheduledEventsSink);
  registerAllTypes(core);
  mountSpotData(core);
  const dataAuth = createDataAuth(core, operator, opts.rbacPropagationMs ?? 0);
  const control = createControl(core);

  const planes = opts.standardDataPlanes === false && !opts.platform ? undefined : mountHttpsDataPlanes(core, dataAuth);
  const handlers: DataPlaneHandler[] = planes ? [...planes.handlers] : [];
  const deps: DataPlaneDeps = {
    store,
    subscriptionId,
    token,
    stateDir,
    endpoint: () => core.endpoint(),
    evictions: { expedite: (eventId) => core.service<{ expedite(id: string): void }>('evictions').expedite(eventId) },
  };
  for (const f of opts.dataPlanes ?? []) handlers.push(await f(deps));

  let endpoint = '';
  let platform: PlatformRuntime | undefined;
  // `localGatewayUrl`: where the function app's gateway process listens (platform only), which
  // ARM cannot say without pretending an Azure host name resolves here; `gpuarb status` probes it.
  const info = () => ({
    endpoint,
    caCertPath: tls.caCertPath,
    subscriptionId,
    stateDir,
    pid: process.pid,
    platform: Boolean(platform),
    localGatewayUrl: platform?.localGatewayUrl(),
  });
  const server = createEmulatorServer({
    core,
    token,
    certPem: tls.certPem,
    keyPem: tls.keyPem,
    dataPlanes: () => handlers,
    control: createControlHandler(control, info),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  endpoint = `https://127.0.0.1:${port}`;
  core.setEndpoint(endpoint);

  let imds: ScheduledEventsService | undefined;
  if (opts.platform && planes) {
    imds = createScheduledEvents({ now: () => Date.now(), random: () => core.rng.next() });
    await imds.start();
    connectScheduledEvents(core, imds);
    // Agents drain on a Preempt notice: give them Azure's 30 s (they acknowledge early when done).
    core.registerService('evictionNoticeSeconds', 30);
    const service = imds;
    platform = new PlatformRuntime({
      emulator: { store, behaviors: core.behaviors, stateDir },
      tls: { certPem: tls.certPem, keyPem: tls.keyPem, caCertPem: tls.caCertPem, caCertPath: tls.caCertPath },
      scheduledEvents: { urlFor: (vm) => service.urlFor(vm) },
      secrets: { versions: (vault, name) => planes.keyVault.acceptedValues(vault, name) },
      logs: planes.logAnalytics,
      arm: { endpoint: () => core.endpoint(), token, caCertPem: tls.caCertPem },
      persistStorage: typeof opts.platform === 'object' ? opts.platform.persistStorage : false,
      healthTimeScale: typeof opts.platform === 'object' ? opts.platform.healthTimeScale : undefined,
      dataAuth,
    }).attach();
    await platform.resume((msg) => process.stderr.write(`${msg}\n`));
  }

  const credential: TokenCredential = {
    getToken: async (): Promise<AccessToken> => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }),
  };
  return {
    endpoint,
    caCertPem: tls.caCertPem,
    caCertPath: tls.caCertPath,
    subscriptionId,
    stateDir,
    port,
    token,
    operatorObjectId: operator.oid,
    credential,
    control,
    behaviors: core.behaviors,
    store,
    core,
    platform,
    setScheduledEventsSink: (s) => {
      sink = s;
    },
    clientOptions: () => ({ endpoint, tlsOptions: { ca: tls.caCertPem } }),
    stop: async () => {
      await platform?.stop();
      await imds?.stop();
      core.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      store.flush();
      if (temp) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

export type { EmulatorControl } from './core/control.js';
export type { ResourceBehavior, LifecycleHook, OpContext, Core } from './core/behavior.js';
export type { DataPlaneDeps, DataPlaneFactory, DataPlaneHandler, ScheduledEvent, ScheduledEventsSink } from './core/dataplane-contract.js';
export { ArmError } from './core/errors.js';
