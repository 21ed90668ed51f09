// The plan/up/down command definitions end to end against the local cloud: the real config
// loader (a gpuarb.yaml in a temp dir), real context and prompter, the in-process emulator as
// the target (what --local resolves to, minus starting a daemon).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext, type Context } from '../core/context.js';
import { type AzureTarget, localCloudTarget } from '../azure/target.js';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { planCommand } from '../commands/plan.js';
import { upCommand } from '../commands/up.js';
import { downCommand } from '../commands/down.js';
import { testConfigInput } from '../../testkit/fixtures/stack-config.js';
import { ExitCode } from '../core/exit-codes.js';
import { OutputCapture } from '../../testkit/output-capture.js';

describe('plan / up / down commands', () => {
  let emulator: Emulator;
  let dir: string;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, profile: 'fast', seed: 3 });
    dir = mkdtempSync(join(tmpdir(), 'gpuarb-cmd-'));
    writeFileSync(join(dir, 'gpuarb.yaml'), stringify(testConfigInput({ stack: 'cmd' })));
  });
  afterAll(async () => {
    await emulator?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** `traits` overrides what the emulator's target does, e.g. ask before changes as Azure does. */
  function context(yes: boolean, traits: Partial<AzureTarget> = {}): { ctx: Context; out: OutputCapture; err: OutputCapture } {
    const out = new OutputCapture();
    const err = new OutputCapture();
    const base = createContext({
      stdout: out,
      stderr: err,
      stdin: Object.assign(process.stdin, {}),
      env: {},
      cwd: dir,
      globals: { json: false, yes, noPrompt: true, verbose: false },
      signal: new AbortController().signal,
    });
    const target = {
      ...localCloudTarget({
        subscriptionId: emulator.subscriptionId,
        armEndpoint: emulator.endpoint,
        credential: emulator.credential,
        caCertPem: emulator.caCertPem,
      }),
      ...traits,
    };
    return { ctx: { ...base, config: base.config, target: async () => target }, out, err };
  }

  it('plan shows creates and exits 2 under --detailed-exitcode; up without --yes refuses non-interactively (except --local)', async () => {
    const { ctx } = context(false);
    const plan = await planCommand.run(ctx, { detailedExitcode: true, local: true, skipCode: true });
    expect(plan.summary.create).toBeGreaterThan(40);
    expect(plan.text).toContain('+ create resource group');
    expect(planCommand.exitCode?.(plan, { detailedExitcode: true })).toBe(ExitCode.changesPending);
    // Against Azure (here the emulator with Azure's confirmation), a change needs --yes.
    const azureLike = context(false, { confirmChanges: true }).ctx;
    await expect(upCommand.run(azureLike, { parallel: 8, progress: 'plain', local: false, skipCode: true })).rejects.toMatchObject({
      code: 'PromptRequired',
    });
  });

  it('up refuses before writing anything when the new scale sets exceed a family or the Spot quota, naming both', async () => {
    emulator.control.setQuota('eastus', 'StandardNCADSA100v4Family', 24);
    emulator.control.setQuota('eastus', 'lowPriorityCores', 2);
    try {
      const { ctx } = context(true);
      const err = await upCommand.run(ctx, { parallel: 8, progress: 'plain', local: true, skipCode: true }).then(
        () => undefined,
        (e: unknown) => e as { code?: string; message: string; hint?: string },
      );
      expect(err?.code).toBe('QuotaExceeded');
      // mixtral's on-demand floor (1 × 48 vCPUs) against its family; phi3's Spot VM (4 vCPUs) against lowPriorityCores.
      expect(err?.message).toContain('StandardNCADSA100v4Family in eastus: pools mixtral need 48 vCPUs, 24 are left (0 of 24 used)');
      expect(err?.message).toContain('lowPriorityCores in eastus: pools phi3 need 4 vCPUs, 2 are left (0 of 2 used)');
      expect(err?.hint).toMatch(/Total Regional Spot vCPUs/);
      expect(err?.hint).toMatch(/per-vm-quota-requests/);
      const plan = await planCommand.run(context(true).ctx, { detailedExitcode: true, local: true, skipCode: true });
      expect(plan.summary.create).toBeGreaterThan(40); // nothing was written
    } finally {
      emulator.control.setQuota('eastus', 'StandardNCADSA100v4Family', 1000);
      emulator.control.setQuota('eastus', 'lowPriorityCores', 1000);
    }
  });

  it('up --yes applies with plain progress and prints the outputs; a second up and plan are no-ops', async () => {
    const { ctx, out, err } = context(true);
    const r = await upCommand.run(ctx, { parallel: 8, progress: 'plain', local: true, skipCode: true });
    expect(r.ok).toBe(true);
    expect(err.text).toMatch(/\] done\s+create\s+vmss\/phi3/);
    expect(upCommand.render).toBeDefined();
    upCommand.render?.(ctx, r);
    expect(out.text).toContain('Resource group:  rg-cmd');
    const again = await upCommand.run(ctx, { parallel: 8, progress: 'json', local: true, skipCode: true });
    expect(again.applied).toBe(false);
    expect(again.requests.writes).toBe(0);
    const plan = await planCommand.run(ctx, { detailedExitcode: true, local: true, skipCode: true });
    expect(planCommand.exitCode?.(plan, { detailedExitcode: true })).toBe(ExitCode.ok);
    // No secret value ever reaches the output streams.
    expect(err.text + out.text).not.toMatch(/BEGIN PRIVATE KEY/);
  });

  it('down --yes deletes everything tagged and explains soft delete', async () => {
    const { ctx, out, err } = context(true);
    const r = await downCommand.run(ctx, { local: true });
    expect(r.failed).toEqual([]);
    expect(r.resourceGroupDeleted).toBe(true);
    expect(err.text).toMatch(/Key Vault keeps a deleted vault/);
    expect(downCommand.render).toBeDefined();
    downCommand.render?.(ctx, r);
    expect(out.text).toMatch(/Deleted \d+ of \d+ resources of stack cmd and its resource group/);
  });
});
