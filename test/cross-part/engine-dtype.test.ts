// Engines that start: the agent config cloud-init writes for a pool, run by the real vllm adapter
// against the simulated `vllm serve`, which refuses bfloat16 below compute capability 8.0 with
// vLLM's own error. A T4 pool must get float16 and come up; an A100 or H100 pool keeps bfloat16.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { required } from '../../lib/required.js';
import { agentConfigSchema } from '../../fleet-agent/config.js';
import { memoryLogger } from '../../fleet-agent/log.js';
import { VllmEngine } from '../../fleet-agent/engines/vllm/vllm-engine.js';
import { renderCloudInit, type CloudInitOptions, type PoolSpec } from '../../src/templates/cloud-init.js';
import { waitFor } from '../../testkit/wait.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SIM_VLLM = [process.execPath, '--import', 'tsx', join(root, 'fleet-agent', 'main.ts'), 'sim-vllm', 'serve'];
const OPTS: CloudInitOptions = {
  agentBundleUrl: 'https://st.blob.core.windows.net/agent/a.mjs',
  agentBundleSha256: 'a'.repeat(64),
  managedIdentityClientId: '00000000-0000-0000-0000-0000000000aa',
  keyVaultUrl: 'https://kv.vault.azure.net',
  cosmosEndpoint: 'https://c.documents.azure.com:443/',
};
const pool = (sku: string, quantization: PoolSpec['quantization'] = 'none'): PoolSpec => ({
  name: 'p',
  model: 'phi3-mini',
  engine: 'vllm',
  hfModel: 'microsoft/Phi-3-mini-4k-instruct',
  quantization,
  tensorParallel: 1,
  contextLength: 4096,
  sku,
});

/** The vllm engine config exactly as cloud-init writes it, pointed at the simulated vLLM. */
function engineConfigFromCloudInit(p: PoolSpec) {
  const doc = parse(renderCloudInit(p, OPTS)) as { write_files: { path: string; content: string }[] };
  const raw = JSON.parse(
    required(
      doc.write_files.find((f) => f.path === '/etc/gpuarb/agent.json'),
      'the agent config',
    ).content,
  ) as Record<string, unknown>;
  const config = agentConfigSchema.parse({ ...raw, instanceName: 'vm' });
  if (config.engine.type !== 'vllm') throw new Error('expected a vllm engine');
  return { ...config.engine, command: SIM_VLLM, port: 0, env: {}, restartBackoff: { initialMs: 60_000, maxMs: 60_000 } };
}

const run = promisify(execFile);
const simVllm = (args: string[]) =>
  run(SIM_VLLM[0], [...SIM_VLLM.slice(1), ...args, '--port', '0'], { timeout: 30_000 }).then(
    () => ({ code: 0, stderr: '' }),
    (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
  );

describe('vLLM dtype per SKU', () => {
  it.each([
    ['Standard_NC4as_T4_v3', 'T4', 'float16'],
    ['Standard_NC24ads_A100_v4', 'A100-80GB', 'bfloat16'],
    ['Standard_NC40ads_H100_v5', 'H100', 'bfloat16'],
  ])('a %s pool (sim GPU %s) is given --dtype %s and its vLLM gets ready', { timeout: 60_000 }, async (sku, simGpu, dtype) => {
    const config = engineConfigFromCloudInit(pool(sku));
    expect(config.dtype).toBe(dtype);
    const log = memoryLogger();
    const engine = new VllmEngine({ ...config, extraArgs: ['--sim-gpu', simGpu] }, log.logger);
    try {
      await engine.start();
      const outcome = await waitFor(
        'vllm ready or exited',
        () => (engine.status() === 'ready' ? 'ready' : log.lines.find((l) => l.msg === 'vllm exited; restarting')),
        30_000,
        25,
      );
      expect(outcome).toBe('ready');
    } finally {
      await engine.stop();
    }
  });

  it('AWQ and GPTQ pools compute in float16 on every GPU', () => {
    expect(engineConfigFromCloudInit(pool('Standard_NC24ads_A100_v4', 'awq')).dtype).toBe('float16');
    expect(engineConfigFromCloudInit(pool('Standard_NC4as_T4_v3', 'gptq')).dtype).toBe('float16');
  });
});

describe('the simulated vllm serve refuses bfloat16 below compute capability 8.0, as vLLM does', () => {
  const refusal =
    'ValueError: Bfloat16 is only supported on GPUs with compute capability of at least 8.0. Your Tesla T4 GPU has compute capability 7.5. You can use float16 instead by explicitly setting the`dtype` flag in CLI, for example: --dtype=half.';

  it("--dtype bfloat16 on a T4: exit 1 with vLLM's error", { timeout: 60_000 }, async () => {
    const r = await simVllm(['m', '--dtype', 'bfloat16', '--sim-gpu', 'T4']);
    expect(r).toEqual({ code: 1, stderr: `${refusal}\n` });
  });

  it('--dtype auto on a model whose config.json says bfloat16: refused on a T4 as well', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bf16-model-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ torch_dtype: 'bfloat16' }));
    const r = await simVllm([dir, '--dtype', 'auto', '--sim-gpu', 'T4']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Bfloat16 is only supported on GPUs with compute capability of at least 8.0');
  });
});
