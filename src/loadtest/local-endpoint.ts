// The seam to the local platform (issue 7): `gpuarb up --local` will run API Management's local
// proxy and create a customer key; this function is where loadtest learns the API URL and key.
// Until the local platform records them, it tells the user to pass --url and --key.
//
// To fill in (local-platform engineer): read what `up --local` records under
// localStateDir(ctx) (e.g. the proxy's https base URL ending in /v1, a customer key, and the CA
// the client must trust) and return them. Register the key with ctx.secrets before returning.
import type { Context } from '../core/context.js';
import { UserError } from '../core/errors.js';
import type { Endpoint } from './types.js';

export interface LocalEndpoint extends Endpoint {
  /** The local platform's CA (it serves https with a certificate the client must trust). */
  caCertPem?: string;
}

export async function resolveLocalEndpoint(ctx: Pick<Context, 'cwd' | 'env'>): Promise<LocalEndpoint> {
  void ctx;
  throw new UserError('The local platform does not publish its API URL and key yet, so --local cannot find them.', {
    code: 'LocalEndpointUnavailable',
    hint: 'Pass --url <base URL ending in /v1> and --key <customer key> of the running local stack instead.',
  });
}
