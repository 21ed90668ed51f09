// Waiting out role propagation: a data-plane role assignment written a moment ago may not be in
// force yet (Azure: "up to 10 minutes", https://learn.microsoft.com/azure/role-based-access-control/troubleshooting#symptom---role-assignment-changes-are-not-being-detected),
// and until then the data plane answers 403. This retries only that 403, bounded by attempts and
// total time; when it runs out it says which role on which resource is missing and how to grant it.
import { UserError } from '../core/errors.js';
import { sleep } from '../azure/lro.js';

export interface RolePropagationPolicy {
  attempts: number;
  totalMs: number;
  baseMs: number;
  capMs: number;
}

export const ROLE_PROPAGATION: RolePropagationPolicy = { attempts: 30, totalMs: 10 * 60_000, baseMs: 1000, capMs: 30_000 };

/** What the retried call needs, named for the final error. */
export interface DataRoleNeed {
  role: string;
  scope: string;
  principalId: string;
}

/** A data plane's "you lack the role" answer (Storage, Key Vault, Cosmos DB all use 403). */
export function isRoleDenied(e: unknown): boolean {
  return (e as { statusCode?: number; status?: number })?.statusCode === 403 || (e as { status?: number })?.status === 403;
}

export async function retryWhileRoleUnpropagated<T>(
  fn: () => Promise<T>,
  need: DataRoleNeed,
  opts: { policy?: RolePropagationPolicy; signal?: AbortSignal; now?: () => number; onWait?: (attempt: number) => void } = {},
): Promise<T> {
  const policy = opts.policy ?? ROLE_PROPAGATION;
  const now = opts.now ?? Date.now;
  const started = now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!isRoleDenied(e) || opts.signal?.aborted) throw e;
      const elapsed = now() - started;
      const delay = Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1));
      if (attempt >= policy.attempts || elapsed + delay > policy.totalMs) {
        throw new UserError(
          `${need.role} on ${need.scope} is not in force for principal ${need.principalId} ` +
            `(still 403 after ${attempt} attempts over ${Math.round(elapsed / 1000)} s).`,
          {
            code: 'DataRoleNotInForce',
            cause: e,
            hint:
              `Check it with \`az role assignment list --assignee ${need.principalId} --scope ${need.scope}\`; ` +
              `grant it with \`az role assignment create --role "${need.role}" --assignee ${need.principalId} --scope ${need.scope}\` ` +
              '(needs Owner or User Access Administrator), then rerun `gpuarb up`.',
          },
        );
      }
      opts.onWait?.(attempt);
      await sleep(delay, opts.signal);
    }
  }
}
