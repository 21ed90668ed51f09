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
