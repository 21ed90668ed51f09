// API Management fetches a Key Vault–backed named value with its identity when the value is
// written, and refuses the write while that identity cannot read the secret. Right after `up`
// creates the identity's role assignment that refusal is only Azure RBAC propagating (Microsoft:
// role assignment changes can take up to 10 minutes to take effect,
// https://learn.microsoft.com/azure/role-based-access-control/troubleshooting), so the write is
// retried within that bound instead of failing as a permanent 400. Separate from the step retry
// (retry.ts): it keys on this one refusal and waits minutes, not seconds.
import { sleep } from '../azure/lro.js';
import { AzureError } from '../core/errors.js';

export interface PropagationWait {
  /** Longest total wait. */
  boundMs: number;
  firstDelayMs: number;
  maxDelayMs: number;
}

export const KEY_VAULT_PROPAGATION_WAIT: PropagationWait = { boundMs: 10 * 60_000, firstDelayMs: 250, maxDelayMs: 15_000 };

/**
 * API Management's refusal to fetch a Key Vault secret for lack of access. Its exact code is not
 * documented, so the message decides: it names Key Vault and a missing authorisation.
 */
export function isKeyVaultAccessRefusal(e: unknown): boolean {
  if (!(e instanceof AzureError) || (e.status !== undefined && e.status !== 400 && e.status !== 403)) return false;
  return /key ?vault/i.test(e.message) && /forbidden|not authori[sz]ed|access denied|propagation/i.test(e.message);
}

export async function retryWhileKeyVaultAccessPropagates<T>(
  write: () => Promise<T>,
  signal?: AbortSignal,
  wait: PropagationWait = KEY_VAULT_PROPAGATION_WAIT,
  now: () => number = Date.now,
): Promise<T> {
  const started = now();
  for (let delay = wait.firstDelayMs; ; delay = Math.min(wait.maxDelayMs, delay * 2)) {
    try {
      return await write();
    } catch (e) {
      if (!isKeyVaultAccessRefusal(e) || signal?.aborted) throw e;
      const waited = now() - started;
      if (waited + delay > wait.boundMs) {
        const err = e as AzureError;
        throw new AzureError(`${err.message} (still refused after ${Math.round(waited / 1000)} s)`, {
          armCode: err.code,
          status: err.status,
          requestId: err.requestId,
          resourceId: err.resourceId,
          hint:
            "API Management's identity still cannot read the Key Vault secret. Check that its role assignment " +
            '(Key Vault Secrets User on the secret) exists, then rerun `gpuarb up`.',
          cause: e,
        });
      }
      await sleep(delay, signal);
    }
  }
}
