// A VM instance of the local cloud is a `gpuarb-agent` process: the sim engine with the pool's
// model and the GPU its SKU carries (or llamacpp when the pool names a GGUF file), pointed at its
// own Scheduled Events endpoint, registering in the local Cosmos, authenticating callers with the
// internal key file the runtime keeps in step with Key Vault.
import { writePrivateFileSync } from '../../lib/private-files.js';
import { join } from 'node:path';
import { packageRoot } from '../../lib/package-root.js';
import type { ManagedProcess, ProcessGroup } from './services/processes.js';

export type SimGpu = 'T4' | 'A100-80GB' | '2xA100' | '4xA100' | 'H100' | 'none';

/** The GPU each SKU carries, as the sim engine's profiles name them. */
function gpuForSku(sku: string): SimGpu {
  const s = sku.toLowerCase();
  if (s.includes('t4')) return 'T4';
  if (s.includes('h100')) return 'H100';
  if (s.startsWith('standard_nc96ads_a100')) return '4xA100';
  if (s.startsWith('standard_nc48ads_a100')) return '2xA100';
  if (s.includes('a100')) return 'A100-80GB';
  return 'none';
}

export interface AgentSpec {
  vmName: string;
  pool: string;
  model: string;
  sku: string;
  zone: string | null;
  priority: 'Spot' | 'Regular';
  scheduledEventsUrl: string;
  /** A local GGUF file: run real llama.cpp instead of the simulator. */
  modelFile?: string;
  /** The sim engine's load time and outcome, as the VM's cloud-init configures them. */
  simLoad?: { loadMs?: number; failLoad?: boolean };
}

export interface FleetEnvironment {
  group: ProcessGroup;
  stateDir: string;
  /** The local Cosmos endpoint, known once the account is provisioned. */
  cosmos: () => { endpoint: string; key: string; caFile: string };
  /** Lines "current\nprevious" of the internal service key; agents watch it. */
  internalKeysFile: string;
  onLogLine?: (vmName: string, line: string) => void;
  startTimeoutMs?: number;
  /** Tests point every agent at one Scheduled Events server. */
  scheduledEventsUrlOverride?: string;
}

export interface RunningAgent {
  spec: AgentSpec;
  url: string;
  process: ManagedProcess;
}

export class AgentFleet {
  private readonly agents = new Map<string, RunningAgent>();
  private readonly starting = new Map<string, Promise<RunningAgent>>();

  constructor(private readonly env: FleetEnvironment) {}

  get(vmName: string): RunningAgent | undefined {
    return this.agents.get(vmName);
  }

  list(): RunningAgent[] {
    return [...this.agents.values()];
  }

  /** Starts the agent for a VM (once; a second call waits for the first). */
  start(spec: AgentSpec): Promise<RunningAgent> {
    const existing = this.agents.get(spec.vmName);
    if (existing && !existing.process.exited) return Promise.resolve(existing);
    let p = this.starting.get(spec.vmName);
    if (!p) {
      p = this.spawn(spec).finally(() => this.starting.delete(spec.vmName));
      this.starting.set(spec.vmName, p);
    }
    return p;
  }

  private async spawn(spec: AgentSpec): Promise<RunningAgent> {
    const dir = join(this.env.stateDir, 'vms', spec.vmName);
    const configFile = join(dir, 'agent.json');
    const engine = spec.modelFile
      ? { type: 'llamacpp', model: spec.model, modelPath: spec.modelFile }
      : { type: 'sim', model: spec.model, gpu: gpuForSku(spec.sku), ...spec.simLoad };
    const config = {
      instanceName: spec.vmName,
      pool: spec.pool,
      listen: { host: '127.0.0.1', port: 0 },
      zone: spec.zone,
      priority: spec.priority,
      engine,
      auth: { type: 'file', path: this.env.internalKeysFile, pollMs: 1000 },
      registry: { ...this.env.cosmos(), createIfMissing: true, heartbeatMs: 2000 },
      scheduledEvents: { url: this.env.scheduledEventsUrlOverride ?? spec.scheduledEventsUrl, pollMs: 500, marginMs: 500 },
      drain: { sigtermGraceMs: 5000, retryAfterSeconds: 1 },
    };
    writePrivateFileSync(configFile, JSON.stringify(config, null, 2)); // it holds the Cosmos key
    const proc = this.env.group.start({
      name: `agent ${spec.vmName}`,
      args: [join(packageRoot(), 'bin', 'gpuarb-agent.js'), '--config', configFile],
      onLine: (line) => this.env.onLogLine?.(spec.vmName, line),
      onExit: () => {
        if (this.agents.get(spec.vmName)?.process === proc) this.agents.delete(spec.vmName);
      },
    });
    const line = await proc.waitForLine((l) => l.includes('"listening"'), this.env.startTimeoutMs ?? 60_000);
    const url = (JSON.parse(line) as { url: string }).url;
    const running = { spec, url, process: proc };
    this.agents.set(spec.vmName, running);
    return running;
  }

  /** SIGTERM: the agent drains (in-flight requests finish), then exits. */
  async stop(vmName: string, graceMs = 10_000): Promise<void> {
    await this.starting.get(vmName)?.catch(() => undefined);
    const a = this.agents.get(vmName);
    this.agents.delete(vmName);
    await a?.process.stop(graceMs);
  }
}
