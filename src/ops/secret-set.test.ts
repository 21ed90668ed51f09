// `gpuarb secrets set` against the local cloud's Key Vault with the real SecretClient: the value
// from stdin or a file lands as a new version, nothing of it is printed, bad input writes nothing.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PassThrough } from 'node:stream';
import { SecretClient } from '@azure/keyvault-secrets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretsSetCommand } from '../commands/secrets.js';
import { runGpuarb } from '../../testkit/cli.js';
import { startOpsCloud, type OpsTestCloud } from '../../testkit/ops-cloud.js';
import { dataPlaneAgent, vaultUrl } from './azure-clients.js';
import { MAX_SECRET_BYTES } from './secret-set.js';

let cloud: OpsTestCloud;
let kv: SecretClient;
const TOKEN = 'hf_testTokenValue0123456789abcdefghij';

beforeAll(async () => {
  cloud = await startOpsCloud();
  const name = await cloud.createVault();
  kv = new SecretClient(await vaultUrl(cloud.target, cloud.rgName, name), cloud.emu.credential, { agent: dataPlaneAgent(cloud.target) });
}, 60_000);
afterAll(async () => cloud?.stop());

/** Runs `secrets set` as the CLI does (run, then render), with `input` on stdin. */
async function set(name: string, opts: { stdin?: string; fromFile?: string } = {}) {
  const { ctx, stdout, stderr } = cloud.context();
  const stdin = ctx.io.stdin as PassThrough;
  stdin.end(opts.stdin ?? '');
  const result = await secretsSetCommand.run(ctx, { name, fromFile: opts.fromFile });
  secretsSetCommand.render?.(ctx, result);
  return { result, out: stdout.text + stderr.text };
}

const missing = (name: string) =>
  kv.getSecret(name).then(
    () => false,
    (e: { statusCode?: number }) => e.statusCode === 404,
  );

describe('secrets set (real SecretClient, local Key Vault)', () => {
  it('stores the value piped on stdin, without its trailing newline, and prints nothing of it', async () => {
    const { result, out } = await set('hf-token', { stdin: `${TOKEN}\n` });
    expect((await kv.getSecret('hf-token')).value).toBe(TOKEN);
    expect(result).toMatchObject({ name: 'hf-token', previousVersion: null });
    expect(result.version).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.stringify(result)).not.toContain(TOKEN);
    expect(out).toBe(`hf-token: version ${result.version} in ${result.vault} (new secret)\n`);
  });

  it('--from-file adds a new version and names the one it replaces', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'secret-set-'));
    writeFileSync(join(dir, 'token'), `${TOKEN}-2\r\n`);
    const before = (await kv.getSecret('hf-token')).properties.version;
    const { result, out } = await set('hf-token', { fromFile: join(dir, 'token') });
    expect((await kv.getSecret('hf-token')).value).toBe(`${TOKEN}-2`);
    expect(result.previousVersion).toBe(before);
    expect(out).not.toContain(TOKEN);
  });

  it.each([
    ['empty', '', 'EmptySecret'],
    ['whitespace only', '  \t\n', 'EmptySecret'],
    ['over 25 KB', 'x'.repeat(MAX_SECRET_BYTES + 1), 'SecretTooLarge'],
  ])('refuses a value that is %s and writes nothing', async (_what, stdin, code) => {
    await expect(set('empty-check', { stdin })).rejects.toMatchObject({ code, hint: expect.stringMatching(/--from-file|file/) });
    expect(await missing('empty-check')).toBe(true);
  });

  it('refuses the secrets gpuarb generates, a bad name, a missing file and a terminal on stdin', async () => {
    await expect(set('internal-service-key', { stdin: TOKEN })).rejects.toMatchObject({
      code: 'GeneratedSecret',
      hint: 'Use `gpuarb secrets rotate internal-service-key`.',
    });
    await expect(set('hf_token', { stdin: TOKEN })).rejects.toMatchObject({ code: 'UsageError' });
    await expect(set('hf-token', { fromFile: '/nonexistent/token' })).rejects.toMatchObject({
      code: 'UsageError',
      message: expect.stringMatching(/^Cannot read the file \/nonexistent\/token/),
    });
    const { ctx } = cloud.context();
    Object.assign(ctx.io.stdin, { isTTY: true });
    await expect(secretsSetCommand.run(ctx, { name: 'hf-token' })).rejects.toMatchObject({ code: 'UsageError' });
  });
});

describe('secrets set on the command line', () => {
  it('refuses a value given as an argument, without echoing it', async () => {
    const r = await runGpuarb(['secrets', 'set', 'hf-token', TOKEN], { cwd: mkdtempSync(join(tmpdir(), 'secret-argv-')) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/too many arguments/);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });
});
