import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGpuarb } from '../testkit/cli.js';
import { COMMANDS } from './commands/index.js';
import { EXIT_CODE_TABLE } from './core/exit-codes.js';
import { defaultConfigYaml } from './config/default-config.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'gpuarb-cli-'));
const withConfig = (text = defaultConfigYaml({ stack: 'demo', location: 'eastus' })) => {
  const dir = tmp();
  writeFileSync(join(dir, 'gpuarb.yaml'), text);
  return dir;
};

describe('help', () => {
  it.each(COMMANDS.map((c) => [c.name]))('`%s --help` shows an example', async (name) => {
    const r = await runGpuarb([...name.split(' '), '--help'], { cwd: tmp() });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toMatch(/\$ gpuarb /);
  });

  it('lists exit codes, and the README documents the same table', async () => {
    const r = await runGpuarb(['help', 'exit-codes', '--json'], { cwd: tmp() });
    expect(JSON.parse(r.stdout).exitCodes.map((e: { code: number }) => e.code)).toEqual(EXIT_CODE_TABLE.map((e) => e.code));
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const e of EXIT_CODE_TABLE) expect(readme).toMatch(new RegExp(`\\|\\s*${e.code}\\s*\\|\\s*${e.name}`));
  });
});

describe('--json contract', () => {
  it('prints only the result on stdout', async () => {
    const r = await runGpuarb(['config', 'validate', '--json'], { cwd: withConfig() });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ valid: true, stack: 'demo', pools: ['phi3', 'mixtral', 'llama70b'] });
  });

  it('prints errors as {"error":{code,message,hint}} with exit 1', async () => {
    const r = await runGpuarb(['config', 'validate', '--json'], { cwd: tmp() });
    expect(r.code).toBe(1);
    const body = JSON.parse(r.stdout);
    expect(body.error).toMatchObject({ code: 'ConfigNotFound' });
    expect(body.error.hint).toContain('gpuarb init');
    expect(r.stderr).toBe('');
  });

  it('reports usage errors as JSON too', async () => {
    const r = await runGpuarb(['nope', '--json'], { cwd: tmp() });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error.code).toBe('UsageError');
  });
});

describe('human output', () => {
  it('puts errors and hints on stderr, nothing on stdout', async () => {
    const r = await runGpuarb(['config', 'validate'], { cwd: tmp() });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: No config file/m);
    expect(r.stderr).toMatch(/^hint: /m);
  });

  it('colours only on a terminal', async () => {
    const piped = await runGpuarb(['config', 'validate'], { cwd: tmp() });
    const tty = await runGpuarb(['config', 'validate'], { cwd: tmp(), tty: true });
    expect(piped.stderr).not.toContain('\u001b[');
    expect(tty.stderr).toContain('\u001b[31merror');
  });

  it('shows causes and stacks only with --verbose', async () => {
    const plain = await runGpuarb(['config', 'validate'], { cwd: tmp() });
    const verbose = await runGpuarb(['config', 'validate', '--verbose'], { cwd: tmp() });
    expect(plain.stderr).not.toMatch(/\n\s+at /);
    expect(verbose.stderr).toMatch(/\n\s+at /);
  });
});

describe('interactivity gate', () => {
  it('fails in non-interactive use and names the flag', async () => {
    const dir = tmp();
    const r = await runGpuarb(['init', '--json'], { cwd: dir, env: { CI: 'true' } });
    expect(r.code).toBe(1);
    const err = JSON.parse(r.stdout).error;
    expect(err.code).toBe('PromptRequired');
    expect(err.hint).toContain('--stack');
    expect(existsSync(join(dir, 'gpuarb.yaml'))).toBe(false);
  });

  it('treats GPUARB_NON_INTERACTIVE=1 and --no-prompt like CI, even on a terminal', async () => {
    for (const [args, env] of [
      [['init'], { GPUARB_NON_INTERACTIVE: '1' }],
      [['init', '--no-prompt'], {}],
    ] as const) {
      const r = await runGpuarb([...args], { cwd: tmp(), env, tty: true });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('--stack');
    }
  });

  it('takes flags instead of prompts, and --yes accepts the defaults', async () => {
    const dir = tmp();
    const r = await runGpuarb(['init', '--stack', 'acme-prod', '--location', 'westeurope', '--json'], { cwd: dir, env: { CI: '1' } });
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'gpuarb.yaml'), 'utf8')).toContain('stack: acme-prod');
    const dir2 = tmp();
    expect((await runGpuarb(['init', '--yes'], { cwd: dir2, env: { CI: '1' } })).code).toBe(0);
    expect(readFileSync(join(dir2, 'gpuarb.yaml'), 'utf8')).toContain('stack: gpuarb-prod');
  });

  it('never overwrites without --force', async () => {
    const dir = withConfig('stack: keep-me\n');
    const r = await runGpuarb(['init', '--stack', 'other', '--json'], { cwd: dir });
    expect(JSON.parse(r.stdout).error.code).toBe('ConfigExists');
    expect(readFileSync(join(dir, 'gpuarb.yaml'), 'utf8')).toBe('stack: keep-me\n');
    expect((await runGpuarb(['init', '--stack', 'other', '--force'], { cwd: dir })).code).toBe(0);
    expect(readFileSync(join(dir, 'gpuarb.yaml'), 'utf8')).toContain('stack: other');
  });

  it('refuses an invalid stack name from a flag without writing a file', async () => {
    const dir = tmp();
    const r = await runGpuarb(['init', '--stack', 'Bad_Name', '--json'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error.code).toBe('InvalidConfig');
    expect(existsSync(join(dir, 'gpuarb.yaml'))).toBe(false);
  });
});

describe('config show', () => {
  it('merges environment overrides and redacts secret-looking values', async () => {
    const r = await runGpuarb(['config', 'show', '--json'], {
      cwd: withConfig(),
      env: { AZURE_SUBSCRIPTION_ID: '11111111-2222-3333-4444-555555555555', GPUARB_LOCATION: 'westeurope' },
    });
    const body = JSON.parse(r.stdout);
    expect(body.config.subscription).toBe('11111111-2222-3333-4444-555555555555');
    expect(body.config.location).toBe('westeurope');
    expect(body.names.keyVault).toMatch(/^kv-demo-[0-9a-f]{6}$/);
  });
});
