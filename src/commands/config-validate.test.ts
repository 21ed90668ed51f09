import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGpuarb } from '../../testkit/cli.js';
import { defaultConfigYaml } from '../config/default-config.js';

const withConfig = (text: string) => {
  const dir = mkdtempSync(join(tmpdir(), 'gpuarb-validate-'));
  writeFileSync(join(dir, 'gpuarb.yaml'), text);
  return dir;
};
const defaults = defaultConfigYaml({ stack: 'demo', location: 'eastus' });

describe('config validate: the cache scope', () => {
  it('warns that a global cache shares answers across customers (valid, exit 0)', async () => {
    const r = await runGpuarb(['config', 'validate'], { cwd: withConfig(defaults.replace(/scope: per-customer/, 'scope: global')) });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^warning: gateway\.cache\.scope: scope global shares cached answers across customers/m);
    const json = await runGpuarb(['config', 'validate', '--json'], {
      cwd: withConfig(defaults.replace(/scope: per-customer/, 'scope: global')),
    });
    expect(JSON.parse(json.stdout).warnings).toEqual([expect.stringMatching(/^gateway\.cache\.scope: /)]);
  });

  it('is quiet about the default, which is per customer', async () => {
    expect(defaults).toMatch(/^ {4}scope: per-customer/m);
    const r = await runGpuarb(['config', 'validate'], { cwd: withConfig(defaults) });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });
});

describe('config validate: the model must fit the GPU memory', () => {
  const llamaOn = (sku: string, tp: number) =>
    defaults.replace('    tensorParallel: 4\n    sku: Standard_NC96ads_A100_v4', `    tensorParallel: ${tp}\n    sku: ${sku}`);

  it('rejects Llama-3-70B in bf16 on one A100 80 GB, naming weights, KV cache and the SKU memory', async () => {
    const r = await runGpuarb(['config', 'validate'], { cwd: withConfig(llamaOn('Standard_NC24ads_A100_v4', 1)) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'pools[2].sku: llama3-70b at bf16 needs 141 GB weights + 1.3 GB KV cache (one 4096-token sequence); ' +
        'Standard_NC24ads_A100_v4 has 80 GB GPU memory, of which vLLM uses 90% (72 GB).',
    );
  });

  it('rejects a tensorParallel above the GPUs the SKU has', async () => {
    const r = await runGpuarb(['config', 'validate'], { cwd: withConfig(llamaOn('Standard_NC24ads_A100_v4', 4)) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('pools[2].tensorParallel: tensorParallel 4 needs 4 GPUs; Standard_NC24ads_A100_v4 has 1.');
  });

  it('rejects a context whose KV cache alone overflows the T4 (Phi-3-mini, 32k tokens)', async () => {
    const text = defaults.replace('    sku: Standard_NC4as_T4_v3', '    contextLength: 32768\n    sku: Standard_NC4as_T4_v3');
    const r = await runGpuarb(['config', 'validate'], { cwd: withConfig(text) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('phi3-mini at fp16 needs 7.6 GB weights + 13 GB KV cache (one 32768-token sequence)');
  });

  it('accepts the default pools, whose models fit their SKUs', async () => {
    expect((await runGpuarb(['config', 'validate'], { cwd: withConfig(defaults) })).code).toBe(0);
  });
});
