// cloud-init for a GPU pool's VMs: writes the agent config, the systemd unit and the bootstrap
// script, then runs the script (Node 20, agent bundle, engine, model, service). The agent config
// is complete except for per-instance fields, which the script sets from IMDS as GPUARB_AGENT_*
// environment overrides (the agent's own override mechanism), so one customData fits every VM.
import { stringify } from 'yaml';
import { bootstrapScript } from './cloud-init-bootstrap.js';
import { NODE_LLAMA_CPP_VERSION } from '../../contracts/engine-versions.js';
import { unquantisedDtype, type VllmDtype } from '../../contracts/gpu-dtype.js';
import { skuComputeCapability } from '../cost/sku-catalog.js';

/** What cloud-init needs of a pool (the gpuarb.yaml pool schema maps onto it). */
export interface PoolSpec {
  name: string;
  model: string;
  engine: 'vllm' | 'llamacpp' | 'sim';
  /** Hugging Face repo (vllm). */
  hfModel?: string;
  /** GGUF https URL (llamacpp). */
  modelFile?: string;
  quantization: 'none' | 'awq' | 'gptq' | 'fp8';
  tensorParallel: number;
  contextLength: number;
  sku: string;
  /** GPU profile for the sim engine. */
  gpu?: string;
}

export interface CloudInitOptions {
  /** https URL of the agent bundle blob (built by scripts/artifacts/agent-bundle.mjs) and its sha256. */
  agentBundleUrl: string;
  agentBundleSha256: string;
  /** Client id of the user-assigned managed identity the VMs run as. */
  managedIdentityClientId: string;
  keyVaultUrl: string;
  /** Key Vault secret holding the internal service key (current + previous versions accepted). */
  internalKeySecret?: string;
  /**
   * The pool's own registry secret and the client id of the pool's identity, the only one that
   * reads it: entries are then signed with a key no other pool's VMs hold. Unset: the registry
   * key is derived from the internal key.
   */
  registrySigning?: { secretName: string; clientId: string };
  /** Key Vault secret holding the model-hub (Hugging Face) token; may be absent for open models. */
  hfTokenSecret?: string;
  cosmosEndpoint: string;
  cosmosDatabase?: string;
  agentPort?: number;
  /** The image has no NVIDIA driver (plain Ubuntu): install one. False for the HPC/AI images. */
  installGpuDriver?: boolean;
  vllmVersion?: string;
  /** Where weights go: the bootstrap mounts the local NVMe disk here when the VM has one. */
  modelRoot?: string;
}

const VLLM_VERSION = '0.8.5';
/** The system user the agent runs as (created by the bootstrap). */
export const AGENT_USER = 'gpuarb';

/**
 * vLLM's --dtype for a pool: AWQ/GPTQ kernels compute in float16; unquantised and FP8 weights in
 * bfloat16 where the SKU's GPU has it (compute capability 8.0+), else float16, because vLLM
 * refuses bfloat16 below 8.0 and `auto` would pick the model's own bfloat16 there.
 */
export function vllmDtypeFor(pool: Pick<PoolSpec, 'quantization' | 'sku'>): VllmDtype {
  if (pool.quantization === 'awq' || pool.quantization === 'gptq') return 'float16';
  return unquantisedDtype(skuComputeCapability(pool.sku));
}

/** The agent's JSON config for a pool (see docs/fleet-agent.md); instance fields come from env. */
function agentConfigFor(pool: PoolSpec, opts: CloudInitOptions, modelDir: string): Record<string, unknown> {
  const port = opts.agentPort ?? 8080;
  const engine =
    pool.engine === 'vllm'
      ? {
          type: 'vllm',
          model: pool.model,
          source: modelDir,
          command: ['/opt/vllm/bin/vllm', 'serve'],
          port: 8000,
          tensorParallelSize: pool.tensorParallel,
          dtype: vllmDtypeFor(pool),
          contextLength: pool.contextLength,
          ...(pool.quantization === 'none' ? {} : { quantization: pool.quantization }),
          // Weights are already on disk: never reach the hub at serve time.
          env: { HF_HUB_OFFLINE: '1', PATH: '/opt/vllm/bin:/usr/local/bin:/usr/bin:/bin' },
        }
      : pool.engine === 'llamacpp'
        ? { type: 'llamacpp', model: pool.model, modelPath: `${modelDir}/model.gguf`, contextSize: pool.contextLength, gpu: 'auto' }
        : { type: 'sim', model: pool.model, gpu: pool.gpu ?? 'none' };
  return {
    instanceName: 'set-by-GPUARB_AGENT_INSTANCE_NAME',
    pool: pool.name,
    listen: { host: '0.0.0.0', port },
    engine,
    auth: {
      type: 'keyvault',
      vaultUrl: opts.keyVaultUrl,
      secretName: opts.internalKeySecret ?? 'internal-service-key',
      clientId: opts.managedIdentityClientId,
    },
    registry: {
      endpoint: opts.cosmosEndpoint,
      database: opts.cosmosDatabase ?? 'gpuarb',
      clientId: opts.managedIdentityClientId,
      ttlSeconds: 60,
      ...(opts.registrySigning
        ? {
            signingKey: {
              type: 'keyvault',
              vaultUrl: opts.keyVaultUrl,
              secretName: opts.registrySigning.secretName,
              clientId: opts.registrySigning.clientId,
            },
          }
        : {}),
    },
    scheduledEvents: { enabled: true },
  };
}

/**
 * systemd unit: restart always; stop timeout above the agent's 25 s SIGTERM drain. It runs as the
 * unprivileged `gpuarb` user the bootstrap creates; NoNewPrivileges stops it (and the engine and
 * model code it starts) gaining privileges through setuid binaries such as sudo.
 */
function agentUnit(engine: PoolSpec['engine']): string {
  return [
    '[Unit]',
    'Description=gpuarb fleet agent (OpenAI API, model server supervisor, spot drain)',
    'After=network-online.target',
    'Wants=network-online.target',
    '',
    '[Service]',
    `User=${AGENT_USER}`,
    `Group=${AGENT_USER}`,
    'NoNewPrivileges=yes',
    'ProtectSystem=full',
    'PrivateTmp=yes',
    // CUDA creates /dev/nvidia-uvm on first use through the setuid nvidia-modprobe, which
    // NoNewPrivileges blocks: create the device nodes first, with full privileges ('+').
    ...(engine === 'sim' ? [] : ['ExecStartPre=-+/usr/bin/nvidia-modprobe -u -c=0']),
    'EnvironmentFile=/etc/gpuarb/instance.env',
    'Environment=NODE_ENV=production',
    'ExecStart=/usr/bin/node /opt/gpuarb/gpuarb-agent.mjs --config /etc/gpuarb/agent.json',
    'Restart=always',
    'RestartSec=5',
    'KillSignal=SIGTERM',
    'TimeoutStopSec=40',
    'LimitNOFILE=65536',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

export function renderCloudInit(pool: PoolSpec, opts: CloudInitOptions): string {
  const modelRoot = opts.modelRoot ?? '/mnt/models';
  const modelDir = `${modelRoot}/${pool.model}`;
  if (pool.engine === 'vllm' && !pool.hfModel) throw new Error(`pool ${pool.name}: engine vllm needs hfModel`);
  if (pool.engine === 'llamacpp' && !pool.modelFile) throw new Error(`pool ${pool.name}: engine llamacpp needs modelFile`);
  const script = bootstrapScript({
    clientId: opts.managedIdentityClientId,
    bundleUrl: opts.agentBundleUrl,
    bundleSha256: opts.agentBundleSha256,
    keyVaultUrl: opts.keyVaultUrl,
    hfTokenSecret: opts.hfTokenSecret ?? 'hf-token',
    engine: pool.engine,
    modelRepo: pool.hfModel,
    modelUrl: pool.modelFile,
    modelDir,
    modelRoot,
    vllmVersion: opts.vllmVersion ?? VLLM_VERSION,
    nodeLlamaCppVersion: NODE_LLAMA_CPP_VERSION,
    installGpuDriver: opts.installGpuDriver ?? false,
    agentPort: opts.agentPort ?? 8080,
  });
  const doc = {
    package_update: true,
    packages: ['curl', 'jq', 'ca-certificates'],
    write_files: [
      {
        path: '/etc/gpuarb/agent.json',
        permissions: '0640',
        content: `${JSON.stringify(agentConfigFor(pool, opts, modelDir), null, 2)}\n`,
      },
      { path: '/etc/systemd/system/gpuarb-agent.service', permissions: '0644', content: agentUnit(pool.engine) },
      { path: '/usr/local/bin/gpuarb-bootstrap.sh', permissions: '0755', content: script },
    ],
    runcmd: [['/usr/local/bin/gpuarb-bootstrap.sh']],
  };
  return `#cloud-config\n${stringify(doc, { lineWidth: 0 })}`;
}
