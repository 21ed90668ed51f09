// Starts the gateway under a Functions host for one Node worker (worker.ts: the real
// @azure/functions library, driven as the Azure Functions host drives it with HTTP streams) as
// its own process, and stops it. The config is the app's GPUARB_GATEWAY_CONFIG.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GatewayConfigInput } from '../../contracts/gateway-config.js';
import { waitFor } from '../wait.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface FunctionsHost {
  url: string;
  stderr(): string;
  stop(): Promise<void>;
}

export async function startFunctionsHost(config: GatewayConfigInput): Promise<FunctionsHost> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'testkit', 'functions-host', 'worker.ts')], {
    cwd: repoRoot,
    env: { ...process.env, GPUARB_GATEWAY_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    const url = await waitFor(
      'the Functions host to listen',
      () => {
        if (child.exitCode !== null) throw new Error(`the Functions host exited with ${child.exitCode}: ${err}`);
        return /^listening (\S+)$/m.exec(out)?.[1];
      },
      30_000,
      20,
    );
    return { url, stderr: () => err, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
