// Customer API keys as API Management subscriptions: one subscription per customer (sid
// `cust-<customer>`, which the API policy forwards to the gateway as the customer id: unique and
// fixed, unlike the display name), scoped to the product of its tier (products are named after the tiers in
// config.gateway.tiers — src/provision/desired/apim.ts). Keys are generated here (256 bits) and
// shown once; nothing else ever prints them.
import { randomBytes } from 'node:crypto';
import type { Context } from '../core/context.js';
import { UserError } from '../core/errors.js';
import { apimClient, arm, isNotFound } from './azure-clients.js';
import { loadStack, type OpsStack } from './stack.js';

const CUSTOMER = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const PREFIX = 'cust-';

export interface KeyResult {
  customer: string;
  tier: string;
  /** Shown once, because the operator asked for it. */
  key: string;
  subscriptionId: string;
  /** rotate: the previous key stays valid until this key is rotated again (or --revoke-previous). */
  previousKeyValid?: boolean;
}

export interface KeyListing {
  customer: string;
  tier: string | null;
  state: string;
  createdAt: string | null;
}

export function subscriptionName(customer: string): string {
  return `${PREFIX}${customer}`;
}

/** The customer's name for a metered customer id (a subscription id); other ids are shown as they are. */
export function customerOfSubscription(sid: string): string {
  return sid.startsWith(PREFIX) ? sid.slice(PREFIX.length) : sid;
}

function checkCustomer(customer: string): string {
  if (!CUSTOMER.test(customer))
    throw new UserError(`"${customer}" is not a valid customer id.`, {
      code: 'UsageError',
      hint: 'Customer ids are 1–63 lowercase letters, digits, dots, dashes or underscores, e.g. acme-corp.',
    });
  return customer;
}

/**
 * Stock OpenAI clients send `Authorization: Bearer <apiKey>`, and the API names `Authorization`
 * as its subscription-key header (src/provision/desired/apim.ts), so API Management compares the
 * whole header value with the subscription key: the stored key is "Bearer " + the customer's key
 * (docs/security.md, "Customer keys").
 */
export const APIM_KEY_PREFIX = 'Bearer ';
const apimKeyFor = (customerKey: string) => `${APIM_KEY_PREFIX}${customerKey}`;

/**
 * `sk-gpuarb-` + 256 random bits as hex (API Management accepts keys up to 256 characters). The
 * key handed to the operator is NOT registered with the redactor: showing it once is the point of
 * create/rotate, and every output passes the redactor. Keys never shown (secondary, old) are.
 */
function newKey(ctx: Context, shown: boolean): string {
  const key = `sk-gpuarb-${randomBytes(32).toString('hex')}`;
  if (!shown) ctx.secrets.register(key);
  return key;
}

function tierOf(scope: string | undefined): string | null {
  return /\/products\/([^/]+)$/i.exec(scope ?? '')?.[1] ?? null;
}

async function apim(ctx: Context) {
  const stack = await loadStack(ctx);
  return { stack, client: await apimClient(stack.target), svc: stack.names.apim, rg: stack.resourceGroup };
}

function checkTier(stack: OpsStack, tier: string | undefined): string {
  const t = tier ?? stack.config.gateway.defaultTier;
  if (!(t in stack.config.gateway.tiers))
    throw new UserError(`No tier "${t}".`, {
      code: 'UnknownTier',
      hint: `Tiers in gpuarb.yaml: ${Object.keys(stack.config.gateway.tiers).join(', ')}.`,
    });
  return t;
}

export async function createKey(ctx: Context, customer: string, opts: { tier?: string } = {}): Promise<KeyResult> {
  checkCustomer(customer);
  const { stack, client, svc, rg } = await apim(ctx);
  const tier = checkTier(stack, opts.tier);
  const sid = subscriptionName(customer);
  try {
    await client.subscription.get(rg, svc, sid);
    throw new UserError(`Customer ${customer} already has a key.`, {
      code: 'KeyExists',
      hint: `Rotate it with \`gpuarb keys rotate ${customer}\`, or revoke it first.`,
    });
  } catch (e) {
    if (!isNotFound(e)) throw e instanceof UserError ? e : (await import('../azure/arm-errors.js')).toAzureError(e, sid);
  }
  const key = newKey(ctx, true);
  const secondary = newKey(ctx, false);
  await arm(
    client.subscription.createOrUpdate(rg, svc, sid, {
      displayName: customer,
      scope: `/products/${tier}`,
      state: 'active',
      primaryKey: apimKeyFor(key),
      secondaryKey: apimKeyFor(secondary),
    }),
    sid,
  );
  return { customer, tier, key, subscriptionId: sid };
}

export async function listKeys(ctx: Context): Promise<KeyListing[]> {
  const { client, svc, rg } = await apim(ctx);
  const out: KeyListing[] = [];
  await arm(
    (async () => {
      for await (const s of client.subscription.list(rg, svc)) {
        if (!s.name?.startsWith(PREFIX)) continue; // the built-in and other subscriptions are not customers
        out.push({
          // The customer is what the sid says (what the gateway meters and `usage` shows), whatever
          // the display name was edited to.
          customer: customerOfSubscription(s.name),
          tier: tierOf(s.scope),
          state: s.state ?? 'unknown',
          createdAt: s.createdDate ? new Date(s.createdDate).toISOString() : null,
        });
      }
    })(),
    svc,
  );
  return out.sort((a, b) => a.customer.localeCompare(b.customer));
}

export async function revokeKey(ctx: Context, customer: string): Promise<{ customer: string; revoked: boolean }> {
  checkCustomer(customer);
  const { client, svc, rg } = await apim(ctx);
  try {
    await client.subscription.get(rg, svc, subscriptionName(customer));
  } catch (e) {
    if (isNotFound(e))
      throw new UserError(`Customer ${customer} has no key.`, { code: 'KeyNotFound', hint: '`gpuarb keys list` shows the customers.' });
    throw (await import('../azure/arm-errors.js')).toAzureError(e);
  }
  await arm(client.subscription.delete(rg, svc, subscriptionName(customer), '*'));
  return { customer, revoked: true };
}

/**
 * A new primary key; the old primary becomes the secondary, so a customer that has not switched
 * yet keeps working until the next rotation (or at once without, with revokePrevious).
 */
export async function rotateKey(ctx: Context, customer: string, opts: { revokePrevious?: boolean } = {}): Promise<KeyResult> {
  checkCustomer(customer);
  const { client, svc, rg } = await apim(ctx);
  const sid = subscriptionName(customer);
  let sub: Awaited<ReturnType<typeof client.subscription.get>>;
  try {
    sub = await client.subscription.get(rg, svc, sid);
  } catch (e) {
    if (isNotFound(e))
      throw new UserError(`Customer ${customer} has no key.`, {
        code: 'KeyNotFound',
        hint: `Create one with \`gpuarb keys create ${customer}\`.`,
      });
    throw (await import('../azure/arm-errors.js')).toAzureError(e, sid);
  }
  const old = await arm(client.subscription.listSecrets(rg, svc, sid), sid);
  if (old.primaryKey) ctx.secrets.register(old.primaryKey);
  if (old.secondaryKey) ctx.secrets.register(old.secondaryKey);
  const key = newKey(ctx, true);
  const secondary = opts.revokePrevious ? apimKeyFor(newKey(ctx, false)) : old.primaryKey;
  await arm(client.subscription.update(rg, svc, sid, '*', { primaryKey: apimKeyFor(key), secondaryKey: secondary }), sid);
  return { customer, tier: tierOf(sub.scope) ?? '?', key, subscriptionId: sid, previousKeyValid: !opts.revokePrevious };
}
