// The seam to secret rotation for --rotate-secret-at. The operator-commands engineer is writing
// the rotation in src/ops/secrets.ts; it had not landed when loadtest was written, so this
// reports it unavailable and the command refuses --rotate-secret-at before sending any load.
//
// To fill in: import('../ops/secrets.js') inside `rotate` and call its rotation of the
// customer-facing key (zero-downtime: the previous version stays valid during the overlap),
// returning a one-line description of what was rotated.
import type { Context } from '../core/context.js';

export interface SecretRotator {
  rotate(): Promise<string>;
}

/** Null when rotation is not available in this build. */
export async function secretRotator(ctx: Context, opts: { local: boolean }): Promise<SecretRotator | null> {
  void ctx;
  void opts;
  return null;
}
