// Targets the local cloud (emulator/): starts its daemon for this state directory when it is not
// running, then builds an AzureTarget from what the daemon reports: its https endpoint, its CA
// (trusted by every client built from the target) and its token (kept beside the state). It takes
// only what it uses from the context, so the context can load it without an import cycle.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { UserError } from '../core/errors.js';
import { type AzureTarget, localCloudTarget } from './target.js';

export interface LocalCloudInputs {
  cwd: string;
  io: { info(message: string): void };
  /** Redacts the local token from every output stream. */
  secrets: { register(secret: string): void };
}

export async function ensureLocalCloud(ctx: LocalCloudInputs, stateDirInput: string): Promise<AzureTarget> {
  const stateDir = resolve(ctx.cwd, stateDirInput);
  const daemon = await import('../../emulator/daemon-control.js');
  let info = daemon.daemonStatus({ stateDir });
  if (!info) {
    ctx.io.info(`Starting the local cloud (state in ${stateDir})…`);
    try {
      info = await daemon.startDaemon({ stateDir, timeoutMs: 60_000 });
    } catch (e) {
      throw new UserError(`The local cloud did not start: ${(e as Error).message}`, {
        code: 'LocalCloudUnavailable',
        hint: `See ${join(stateDir, 'daemon.log')}; \`gpuarb local status\` shows what runs there, \`gpuarb local stop\` stops it.`,
        cause: e,
      });
    }
  }
  const token = readFileSync(join(stateDir, 'token'), 'utf8').trim();
  ctx.secrets.register(token);
  // The operator's token (an Entra-shaped JWT, its `oid` the operator) for every audience: the
  // local cloud's data planes verify it and apply the role assignments, as Azure's do.
  const credential: TokenCredential = {
    getToken: async (): Promise<AccessToken> => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }),
  };
  return localCloudTarget({
    subscriptionId: info.subscriptionId,
    armEndpoint: info.endpoint,
    credential,
    caCertPem: readFileSync(info.caCertPath, 'utf8'),
    stateDir,
  });
}
