// --rotate-secret-at: rotates the backend key API Management adds to every request it forwards
// (`inference-api-key`), mid-load, through the operators' rotation in src/ops/secrets.ts (new
// version, the previous one accepted for the configured overlap, APIM's named value refreshed).
// A zero-downtime rotation shows no failed request around the event in the report.
import type { Context } from '../core/context.js';
import { UserError } from '../core/errors.js';

export interface SecretRotator {
  /** Rotates now; resolves to a one-line description of what changed. */
  rotate(): Promise<string>;
}

/** The secret in the request path that a customer-facing rotation changes. */
export const ROTATED_SECRET = 'inference-api-key';

/** Checks before any load that the secret exists and is not mid-rotation, then rotates on demand. */
export async function secretRotator(ctx: Context): Promise<SecretRotator> {
  const { listSecrets, rotateSecret } = await import('../ops/secrets.js');
  const listing = (await listSecrets(ctx)).find((s) => s.name === ROTATED_SECRET);
  if (!listing?.current) {
    throw new UserError(`--rotate-secret-at: the stack's Key Vault has no enabled ${ROTATED_SECRET}.`, {
      code: 'SecretMissing',
      hint: 'Is the stack up (`gpuarb status`)? `gpuarb up` creates the secret.',
    });
  }
  if (listing.rotationInProgress) {
    throw new UserError(
      `--rotate-secret-at: ${ROTATED_SECRET} is still in the overlap of its last rotation (until ${listing.rotationInProgress.retireAt}).`,
      {
        code: 'RotationInProgress',
        hint: 'Rotating again would drop a version consumers may still send; run the load test after the overlap ends.',
      },
    );
  }
  return {
    async rotate() {
      const r = await rotateSecret(ctx, ROTATED_SECRET);
      const apim = r.apimRefreshed === null ? '' : r.apimRefreshed ? ', API Management refreshed' : ', API Management not refreshed yet';
      return `${r.name}: new version ${r.version}${r.retireAt ? `, previous accepted until ${r.retireAt}` : ''}${apim}`;
    },
  };
}
