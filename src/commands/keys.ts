// `gpuarb keys create|list|revoke|rotate <customer>`: customer API keys (API Management
// subscriptions on the tier's product). create/rotate print the new key ONCE; list never does.
import { arg, defineCommand, flags, opt } from '../core/command.js';
import type { KeyListing, KeyResult } from '../ops/keys.js';
import { table } from '../ops/status-render.js';

const customerArg = { customer: arg.required('customer id, e.g. acme-corp') };

function showKey(ctx: Parameters<NonNullable<typeof keysCreateCommand.render>>[0], r: KeyResult, verb: string) {
  ctx.io.out(r.key);
  const previous = r.previousKeyValid ? ' The previous key stays valid until the next rotation.' : '';
  ctx.io.info(`${verb} the key of ${r.customer} (tier ${r.tier}). It is shown only now: hand it over securely.${previous}`);
}

export const keysCreateCommand = defineCommand({
  name: 'keys create',
  summary: 'Create a customer API key on a tier (shown once)',
  examples: ['gpuarb keys create acme-corp', 'gpuarb keys create acme-corp --tier pro --json'],
  args: customerArg,
  options: { tier: opt.text('--tier <tier>', 'tier from gateway.tiers (default: gateway.defaultTier)'), local: flags.local },
  async run(ctx, o): Promise<KeyResult> {
    return (await import('../ops/keys.js')).createKey(ctx, o.customer, o);
  },
  render: (ctx, r) => showKey(ctx, r, 'Created'),
});

export const keysListCommand = defineCommand({
  name: 'keys list',
  summary: 'List customers with API keys, their tier and state (never the keys)',
  examples: ['gpuarb keys list', 'gpuarb keys list --json'],
  options: { local: flags.local },
  async run(ctx): Promise<{ keys: KeyListing[] }> {
    return { keys: await (await import('../ops/keys.js')).listKeys(ctx) };
  },
  render(ctx, r) {
    if (!r.keys.length) return ctx.io.out('no customer keys');
    ctx.io.out(
      table([
        ['CUSTOMER', 'TIER', 'STATE', 'CREATED'],
        ...r.keys.map((k) => [k.customer, k.tier ?? '-', k.state, k.createdAt ?? '-']),
      ]).join('\n'),
    );
  },
});

export const keysRevokeCommand = defineCommand({
  name: 'keys revoke',
  summary: "Revoke a customer's API key (its calls get 401 at once)",
  examples: ['gpuarb keys revoke acme-corp'],
  args: customerArg,
  options: { local: flags.local },
  async run(ctx, o) {
    return (await import('../ops/keys.js')).revokeKey(ctx, o.customer);
  },
  render: (ctx, r) => ctx.io.out(`revoked the key of ${r.customer}`),
});

export const keysRotateCommand = defineCommand({
  name: 'keys rotate',
  summary: 'Give a customer a new API key (shown once); the old one stays valid until the next rotation',
  examples: ['gpuarb keys rotate acme-corp', 'gpuarb keys rotate acme-corp --revoke-previous --json'],
  args: customerArg,
  options: { revokePrevious: opt.flag('--revoke-previous', 'invalidate the previous key at once (no overlap)'), local: flags.local },
  async run(ctx, o): Promise<KeyResult> {
    return (await import('../ops/keys.js')).rotateKey(ctx, o.customer, o);
  },
  render: (ctx, r) => showKey(ctx, r, 'Rotated'),
});
