// Targets the local cloud (emulator/): starts its daemon for this state directory when it is not
// running, then builds an AzureTarget from what the daemon reports (endpoint, CA, token).
import type { Context } from '../core/context.js';
import { UserError } from '../core/errors.js';
import type { AzureTarget } from './target.js';

export async function ensureLocalCloud(_ctx: Context, stateDir: string): Promise<AzureTarget> {
  throw new UserError(`The local cloud is not available yet (state directory ${stateDir}).`, {
    code: 'LocalCloudUnavailable',
    hint: 'The emulator daemon lands with the local-cloud issue; until then use an Azure subscription.',
  });
}
