// The ONE place that decides where ARM calls go and how they authenticate: Azure with
// DefaultAzureCredential, or the local cloud with its https endpoint, its CA and its token.
// Every SDK client is built with `armClientOptions(target)`; nothing else knows the difference.
import type { TokenCredential } from '@azure/core-auth';
import type { Context } from '../core/context.js';
import { NotAuthenticatedError, UserError } from '../core/errors.js';

export const AZURE_ARM_ENDPOINT = 'https://management.azure.com';

export interface AzureTarget {
  kind: 'azure' | 'local';
  subscriptionId: string;
  armEndpoint: string;
  credential: TokenCredential;
  /** The local cloud's CA, trusted by every client built from this target. */
  caCertPem?: string;
  /** The local cloud's state directory (local only). */
  stateDir?: string;
}

/** Options every Azure SDK client takes: endpoint and TLS trust. */
export function armClientOptions(t: AzureTarget): { endpoint: string; tlsOptions?: { ca: string } } {
  return t.caCertPem ? { endpoint: t.armEndpoint, tlsOptions: { ca: t.caCertPem } } : { endpoint: t.armEndpoint };
}

/** The local cloud's state directory for this working directory. */
export function localStateDir(ctx: Pick<Context, 'cwd' | 'env'>): string {
  return ctx.env.GPUARB_LOCAL_STATE_DIR ?? `${ctx.cwd}/.gpuarb/local`;
}

export async function resolveTarget(ctx: Context, opts: { local: boolean }): Promise<AzureTarget> {
  if (opts.local) return resolveLocalTarget(ctx);
  const subscriptionId = await resolveSubscription(ctx);
  const { DefaultAzureCredential } = await import('@azure/identity');
  const credential = new DefaultAzureCredential();
  try {
    await credential.getToken(`${AZURE_ARM_ENDPOINT}/.default`, { abortSignal: ctx.signal });
  } catch (e) {
    throw new NotAuthenticatedError(
      'No Azure credential was found (DefaultAzureCredential tried environment, workload identity, managed identity, Azure CLI and others).',
      { cause: e },
    );
  }
  return { kind: 'azure', subscriptionId, armEndpoint: AZURE_ARM_ENDPOINT, credential };
}

async function resolveSubscription(ctx: Context): Promise<string> {
  const fromEnv = ctx.env.AZURE_SUBSCRIPTION_ID;
  if (fromEnv) return fromEnv;
  const loaded = await ctx.config();
  if (loaded.config.subscription) return loaded.config.subscription;
  throw new UserError('No Azure subscription is configured.', {
    code: 'SubscriptionMissing',
    hint: 'Set `subscription:` in gpuarb.yaml or AZURE_SUBSCRIPTION_ID, or use --local for the local cloud.',
  });
}

/** Starts the local cloud's daemon if needed, and targets it. */
async function resolveLocalTarget(ctx: Context): Promise<AzureTarget> {
  const { ensureLocalCloud } = await import('./local-cloud.js');
  return ensureLocalCloud(ctx, localStateDir(ctx));
}
