// cloud-init for each pool of the default config: valid cloud-config YAML, the agent config it
// writes passes the agent's own schema, the vLLM flags match the pool, the script parses in bash.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { required } from '../../lib/required.js';
import { agentConfigSchema, applyEnvOverrides } from '../../fleet-agent/config.js';
import { vllmServeArgs } from '../../fleet-agent/engines/vllm/vllm-supervisor.js';
import { renderCloudInit, type CloudInitOptions, type PoolSpec } from '../../src/templates/cloud-init.js';

const DEFAULT_POOLS: PoolSpec[] = [
  {
    name: 'phi3',
    model: 'phi3-mini',
    engine: 'vllm',
    hfModel: 'microsoft/Phi-3-mini-4k-instruct',
    quantization: 'none',
    tensorParallel: 1,
    contextLength: 4096,
    sku: 'Standard_NC4as_T4_v3',
    gpu: 'T4',
  },
  {
    name: 'mixtral',
    model: 'mixtral-8x7b',
    engine: 'vllm',
    hfModel: 'casperhansen/mixtral-instruct-awq',
    quantization: 'awq',
    tensorParallel: 1,
    contextLength: 4096,
    sku: 'Standard_NC24ads_A100_v4',
    gpu: 'A100-80GB',
  },
  {
    name: 'llama70b',
    model: 'llama3-70b',
    engine: 'vllm',
    hfModel: 'meta-llama/Meta-Llama-3-70B-Instruct',
    quantization: 'none',
    tensorParallel: 4,
    contextLength: 4096,
    sku: 'Standard_NC96ads_A100_v4',
    gpu: '4xA100-80GB',
  },
];
const OPTS: CloudInitOptions = {
  agentBundleUrl: 'https://gpuarbst.blob.core.windows.net/agent/gpuarb-agent-1.mjs',
  agentBundleSha256: 'a'.repeat(64),
  managedIdentityClientId: '00000000-0000-0000-0000-0000000000aa',
  keyVaultUrl: 'https://gpuarb-kv.vault.azure.net',
  cosmosEndpoint: 'https://gpuarb-cosmos.documents.azure.com:443/',
  registrySigning: { secretName: 'registry-key-pool', clientId: '00000000-0000-0000-0000-0000000000bb' },
};

interface CloudConfig {
  write_files: { path: string; content: string; permissions: string }[];
  runcmd: string[][];
  packages: string[];
}
const file = (doc: CloudConfig, path: string) =>
  required(
    doc.write_files.find((f) => f.path === path),
    `the file ${path}`,
  ).content;

describe('renderCloudInit', () => {
  it.each(DEFAULT_POOLS)('renders valid cloud-config for pool $name', (pool) => {
    const text = renderCloudInit(pool, OPTS);
    expect(text.split('\n')[0]).toBe('#cloud-config');
    const doc = parse(text) as CloudConfig;
    expect(Object.keys(doc)).toEqual(expect.arrayContaining(['packages', 'write_files', 'runcmd']));
    expect(doc.runcmd).toEqual([['/usr/local/bin/gpuarb-bootstrap.sh']]);
    // Azure's customData limit is 64 KB (base64 of it must fit too).
    expect(Buffer.from(text).toString('base64').length).toBeLessThan(65_536);

    // The config parses with the agent's schema once the per-instance env is applied.
    const raw = JSON.parse(file(doc, '/etc/gpuarb/agent.json')) as Record<string, unknown>;
    const config = agentConfigSchema.parse(
      applyEnvOverrides(raw, {
        GPUARB_AGENT_INSTANCE_NAME: `${pool.name}_0`,
        GPUARB_AGENT_ZONE: 'null',
        GPUARB_AGENT_PRIORITY: 'Spot',
        GPUARB_AGENT_ADVERTISE_URL: 'http://10.40.0.4:8080',
      }),
    );
    expect(config).toMatchObject({
      pool: pool.name,
      instanceName: `${pool.name}_0`,
      auth: { type: 'keyvault' },
      registry: {
        clientId: OPTS.managedIdentityClientId,
        // Signs with the pool's own secret, read by the pool's own identity.
        signingKey: { type: 'keyvault', secretName: 'registry-key-pool', clientId: '00000000-0000-0000-0000-0000000000bb' },
      },
    });
    expect(required(config.registry, 'the registry config').key).toBeUndefined(); // no secret in customData

    const unit = file(doc, '/etc/systemd/system/gpuarb-agent.service');
    expect(unit).toMatch(/^Restart=always$/m);
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/node \/opt\/gpuarb\/gpuarb-agent\.mjs --config \/etc\/gpuarb\/agent\.json$/m);

    const script = file(doc, '/usr/local/bin/gpuarb-bootstrap.sh');
    execFileSync('bash', ['-n'], { input: script }); // syntax check
    for (const needle of [
      'setup_20.x',
      'resource=$1&client_id=$CLIENT_ID',
      'https://storage.azure.com/',
      'sha256sum -c',
      'https://vault.azure.net',
      `/secrets/hf-token`,
      `huggingface-cli download '${pool.hfModel}'`,
      'systemctl enable --now gpuarb-agent.service',
    ]) {
      expect(script).toContain(needle);
    }
  });

  it('passes each pool its vLLM flags: float16 on the T4, AWQ for Mixtral, bf16 tensor-parallel 4 for Llama-3-70B', () => {
    const args = (pool: PoolSpec) => {
      const doc = parse(renderCloudInit(pool, OPTS)) as CloudConfig;
      const raw = JSON.parse(file(doc, '/etc/gpuarb/agent.json')) as Record<string, unknown>;
      const config = agentConfigSchema.parse({ ...raw, instanceName: 'vm' });
      if (config.engine.type !== 'vllm') throw new Error('expected vllm');
      return vllmServeArgs(config.engine, 8000).join(' ');
    };
    expect(args(DEFAULT_POOLS[0])).toContain('--dtype float16'); // a T4 (compute capability 7.5) has no bfloat16
    expect(args(DEFAULT_POOLS[1])).toMatch(/--quantization awq/);
    expect(args(DEFAULT_POOLS[1])).toMatch(/--dtype float16/);
    expect(args(DEFAULT_POOLS[2])).toMatch(/--tensor-parallel-size 4 --dtype bfloat16/);
    expect(args(DEFAULT_POOLS[2])).not.toMatch(/--quantization/);
  });

  it.each(DEFAULT_POOLS)('runs the agent of pool $name as its own unprivileged user, with no secret on any command line', (pool) => {
    const doc = parse(renderCloudInit(pool, OPTS)) as CloudConfig;
    const unit = file(doc, '/etc/systemd/system/gpuarb-agent.service');
    expect(unit).toMatch(/^User=gpuarb$/m);
    expect(unit).toMatch(/^Group=gpuarb$/m);
    expect(unit).toMatch(/^NoNewPrivileges=yes$/m);
    // The GPU device nodes are made with full privileges before the unprivileged agent starts.
    expect(unit).toMatch(/^ExecStartPre=-\+\/usr\/bin\/nvidia-modprobe -u -c=0$/m);
    expect(unit).not.toMatch(/^User=(root|azureuser)$/m);
    // The config file, not argv, carries settings; and it holds no secret (identities fetch them).
    const execStart = required(/^ExecStart=(.*)$/m.exec(unit), 'ExecStart')[1];
    expect(execStart.split(' ')).toEqual(['/usr/bin/node', '/opt/gpuarb/gpuarb-agent.mjs', '--config', '/etc/gpuarb/agent.json']);
    expect(file(doc, '/etc/gpuarb/agent.json')).not.toMatch(/"(key|keys|token|password)"\s*:/i);
    const script = file(doc, '/usr/local/bin/gpuarb-bootstrap.sh');
    const useradd = required(/^.*useradd .*$/m.exec(script), 'the useradd line')[0];
    expect(useradd).toContain('--system');
    expect(useradd).toContain('--shell /usr/sbin/nologin');
    expect(useradd).not.toMatch(/-G|--groups|sudo|wheel/);
    expect(script).not.toMatch(/sudoers/);
    expect(script).toMatch(/^chown -R gpuarb:gpuarb \/opt\/gpuarb \/etc\/gpuarb '\/mnt\/models\//m);
  });

  it('installs the GPU driver only when the image lacks one, and node-llama-cpp for GGUF pools', () => {
    const plain = renderCloudInit(DEFAULT_POOLS[0], { ...OPTS, installGpuDriver: true });
    expect(plain).toContain('ubuntu-drivers install --gpgpu');
    expect(renderCloudInit(DEFAULT_POOLS[0], OPTS)).not.toContain('ubuntu-drivers');
    const gguf = renderCloudInit(
      { ...DEFAULT_POOLS[0], engine: 'llamacpp', modelFile: 'https://huggingface.co/x/y/resolve/main/m.gguf' },
      OPTS,
    );
    expect(gguf).toContain('node-llama-cpp@3.21.1');
    expect(gguf).not.toContain('vllm==');
    expect(() => renderCloudInit({ ...DEFAULT_POOLS[0], hfModel: undefined }, OPTS)).toThrow(/needs hfModel/);
  });
});
