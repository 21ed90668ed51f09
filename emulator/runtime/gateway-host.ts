// The function app of the local cloud: a `gpuarb-gateway` process, configured from the app's
// settings (GPUARB_STACK_CONFIG, the same the Functions host reads in Azure) and the local
// services: Cosmos, Azurite's queue, and the secret files the runtime keeps in step with Key Vault.
// A new deployment restarts it.
import { writePrivateFileSync } from '../../lib/private-files.js';
import { join } from 'node:path';
import { packageRoot } from '../../lib/package-root.js';
import type { ManagedProcess, ProcessGroup } from './services/processes.js';

export interface GatewayHostEnvironment {
  group: ProcessGroup;
  stateDir: string;
  cosmos: () => { endpoint: string; key: string; caFile: string; database: string };
  storageConnectionString: () => string | undefined;
  jobsQueue: string;
  backendKeysFile: string;
  internalKeysFile: string;
  onLogLine?: (line: string) => void;
}

export interface RunningGateway {
  url: string;
  process: ManagedProcess;
  deploymentId: string;
}

/**
 * The app's GPUARB_GATEWAY_CONFIG (what the Functions host reads in Azure) with the local cloud's
 * endpoints in place of Azure's: local Cosmos (key + CA), Azurite's queue, and the key files the
 * runtime keeps in step with Key Vault instead of Key Vault through a managed identity.
 */
function localGatewayConfig(appConfig: Record<string, unknown>, env: GatewayHostEnvironment) {
  const storage = env.storageConnectionString();
  const jobsQueue = (appConfig.storage as { jobsQueue?: string } | undefined)?.jobsQueue ?? env.jobsQueue;
  const { storage: _azureStorage, registry, ...rest } = appConfig;
  return {
    ...rest,
    // The local VMs are agent processes on the loopback address, not in the stack's GPU subnet.
    registry: { ...(registry as Record<string, unknown> | undefined), allowedNetworks: ['127.0.0.1/32'] },
    listen: { host: '127.0.0.1', port: 0 },
    cosmos: env.cosmos(),
    ...(storage ? { storage: { connectionString: storage, jobsQueue } } : {}),
    secrets: { backend: { kind: 'file', path: env.backendKeysFile }, internalServiceKey: { kind: 'file', path: env.internalKeysFile } },
  };
}

export class GatewayHost {
  private running: RunningGateway | undefined;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly env: GatewayHostEnvironment) {}

  get current(): RunningGateway | undefined {
    return this.running && !this.running.process.exited ? this.running : undefined;
  }

  /** (Re)starts the gateway for a deployment; calls are serialised so two deploys never race. */
  deploy(app: string, deploymentId: string, appConfig: Record<string, unknown>): Promise<RunningGateway> {
    const next = this.chain.then(async () => {
      const dir = join(this.env.stateDir, 'sites', app);
      const configFile = join(dir, 'gateway.json');
      writePrivateFileSync(configFile, JSON.stringify(localGatewayConfig(appConfig, this.env), null, 2)); // Cosmos and storage keys
      await this.running?.process.stop(5000);
      const proc = this.env.group.start({
        name: `gateway ${app}`,
        args: [join(packageRoot(), 'bin', 'gpuarb-gateway.js'), '--config', configFile],
        onLine: (line) => this.env.onLogLine?.(line),
      });
      const line = await proc.waitForLine((l) => l.includes('"event":"listening"'), 60_000);
      this.running = { url: (JSON.parse(line) as { url: string }).url, process: proc, deploymentId };
      return this.running;
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  async stop(): Promise<void> {
    await this.chain;
    await this.running?.process.stop(5000);
    this.running = undefined;
  }
}
