// `gpuarb down`: delete the stack's resources, found by their tags, dependents first, after a
// confirmation that names the stack. Key Vault and API Management are soft-deleted by Azure;
// --purge (asked again) purges them where Azure allows.
import { defineCommand, flags, opt } from '../core/command.js';
import { CancelledError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import type { DownResult } from '../provision/down.js';

export type DownCommandResult = DownResult & { stack: string; found: number; localCloudStopped?: boolean };

const SOFT_DELETE_NOTE =
  'Key Vault keeps a deleted vault (and its secrets) for its retention period (7 days for gpuarb stacks) and, ' +
  'with purge protection on, nobody can purge it sooner: the vault name stays reserved, so recreating the same stack ' +
  'within that time recovers or waits for it. API Management services are soft-deleted for 48 hours: ' +
  '`gpuarb up` with the same stack restores it (with its customer keys); --purge removes it for good.';

export const downCommand = defineCommand({
  name: 'down',
  summary: 'Delete every resource of the stack (found by tag)',
  examples: ['gpuarb down', 'gpuarb down --yes --json', 'gpuarb down --purge', 'gpuarb down --local'],
  options: {
    purge: opt.flag('--purge', 'also purge soft-deleted API Management and Key Vault where Azure allows (asks again)'),
    local: flags.local,
  },
  async run(ctx, opts): Promise<DownCommandResult> {
    const { loadProvisionStack } = await import('../provision/stack.js');
    const { destroyStack, listStackResources } = await import('../provision/down.js');
    const s = await loadProvisionStack(ctx, { build: false });
    const target = {
      stack: s.config.stack,
      subscriptionId: s.target.subscriptionId,
      resourceGroupId: s.graph.resourceGroupId,
      location: s.config.location,
    };
    const found = await listStackResources(s.arm, target, ctx.signal);
    ctx.io.info(`Stack "${s.config.stack}" has ${found.length} resources in ${s.names.resourceGroup}:`);
    for (const r of found) ctx.io.info(`  - ${r.type}  ${r.id.split('/').pop()}`);
    ctx.io.info(SOFT_DELETE_NOTE);
    // The local cloud is disposable (`up --local` rebuilds it in seconds): it does not ask.
    if (
      s.target.confirmChanges &&
      !(await ctx.prompt.confirm(
        `Delete stack "${s.config.stack}" (${found.length} resources and, if it is left empty, resource group ${s.names.resourceGroup})?`,
        { flag: '--yes' },
      ))
    ) {
      throw new CancelledError('Nothing was deleted.');
    }
    const purge = opts.purge
      ? await ctx.prompt.confirm(
          `Also purge the soft-deleted Key Vault and API Management of "${s.config.stack}"? This cannot be undone.`,
          { flag: '--yes' },
        )
      : false;
    const result = await destroyStack(s.arm, target, {
      purge,
      signal: ctx.signal,
      onDeleted: (id) => ctx.io.info(`deleted ${id.split('/').slice(-2).join('/')}`),
    });
    if (ctx.signal.aborted) throw new CancelledError('Stopped: run `gpuarb down` again to finish.');
    // Nothing of the stack may keep running, so the local cloud's daemon (which runs the platform)
    // stops too; its state, including soft-deleted names, is kept for the next `up --local`.
    let localCloudStopped: boolean | undefined;
    if (s.target.stateDir && result.failed.length === 0) {
      const { stopDaemon } = await import('../../emulator/daemon-control.js');
      localCloudStopped = (await stopDaemon({ stateDir: s.target.stateDir })).stopped;
    }
    return { ...result, stack: s.config.stack, found: found.length, ...(localCloudStopped !== undefined ? { localCloudStopped } : {}) };
  },
  render(ctx, r) {
    ctx.io.out(
      `Deleted ${r.deleted.length} of ${r.found} resources of stack ${r.stack}${r.resourceGroupDeleted ? ' and its resource group' : ''}.`,
    );
    for (const f of r.failed) ctx.io.out(`  ✗ ${f.id.split('/').pop()}: ${f.code}: ${f.message}${f.hint ? `\n      hint: ${f.hint}` : ''}`);
    if (r.leftInGroup.length) ctx.io.out(`Kept the resource group: it holds ${r.leftInGroup.length} resources that are not the stack's.`);
    if (r.softDeleted.length) ctx.io.out(`Soft-deleted (name reserved until retention ends): ${r.softDeleted.join(', ')}`);
    for (const p of r.notPurgeable) ctx.io.out(`  not purged ${p.id}: ${p.reason}`);
    for (const p of r.purgeFailed) ctx.io.out(`  could not purge ${p.id}: ${p.message}`);
    if (r.localCloudStopped) ctx.io.out('Stopped the local cloud: no process of the stack is left running.');
  },
  exitCode: (r) => (r.failed.length ? ExitCode.error : ExitCode.ok),
});
