// Decides, once per run, where ARM calls go: Azure with DefaultAzureCredential, or (--local) the
// local cloud's daemon with its https endpoint, CA and token. The context calls this lazily on
// the first `ctx.target()`; nothing else makes the choice.
import type { LoadedConfig } from '../config/load.js';
import { NotAuthenticatedError, UserError } from '../core/errors.js';
import type { LocalCloudInputs } from './local-cloud.js';
import { AZURE_ARM_ENDPOINT, type AzureTarget, azureTarget, localStateDir } from './target.js';

export interface TargetInputs extends LocalCloudInputs {
  env: Record<string, string | undefined>;
  signal: AbortSignal;
  config(): Promise<LoadedConfig>;
}

export async function resolveTarget(ctx: TargetInputs, opts: { local: boolean }): Promise<AzureTarget> {
  if (opts.local) {
    const { ensureLocalCloud } = await import('./local-cloud.js');
    return ensureLocalCloud(ctx, localStateDir(ctx));
  }
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
  return azureTarget({ subscriptionId, credential });
}

async function resolveSubscription(ctx: TargetInputs): Promise<string> {
  const fromEnv = ctx.env.AZURE_SUBSCRIPTION_ID;
  if (fromEnv) return fromEnv;
  const loaded = await ctx.config();
  if (loaded.config.subscription) return loaded.config.subscription;
  throw new UserError('No Azure subscription is configured.', {
    code: 'SubscriptionMissing',
    hint: 'Set `subscription:` in gpuarb.yaml or AZURE_SUBSCRIPTION_ID, or use --local for the local cloud.',
  });
}
