// Azure Storage on this machine: Azurite 3.35 (blob and queue) as a child process on free
// loopback ports, read back from its "listening at" lines. In memory for tests; under the state
// directory for the daemon, so deployments survive a restart.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteService {
  blobEndpoint: string;
  queueEndpoint: string;
  connectionString: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * With `tls`, Azurite serves https with the local cloud's certificate and accepts bearer tokens
 * (`--oauth basic`), so Entra-style clients (gpuarb's code upload) work as against Azure; the
 * shared-key connection string works too, for the processes' queue clients.
 */
export async function startAzuriteService(
  opts: { location?: string; timeoutMs?: number; tls?: { certFile: string; keyFile: string } } = {},
): Promise<AzuriteService> {
  const require = createRequire(import.meta.url);
  const main = join(dirname(require.resolve('azurite/package.json')), 'dist', 'src', 'azurite.js');
  const temp = !opts.location;
  const cwd = opts.location ?? mkdtempSync(join(tmpdir(), 'gpuarb-azurite-'));
  mkdirSync(cwd, { recursive: true });
  const args = [
    main,
    '--blobHost',
    '127.0.0.1',
    '--blobPort',
    '0',
    '--queueHost',
    '127.0.0.1',
    '--queuePort',
    '0',
    '--tableHost',
    '127.0.0.1',
    '--tablePort',
    '0',
    '--disableTelemetry',
    '--skipApiVersionCheck',
  ];
  // Azurite refuses --location together with --inMemoryPersistence.
  args.push(...(temp ? ['--inMemoryPersistence'] : ['--location', cwd]));
  if (opts.tls) args.push('--cert', opts.tls.certFile, '--key', opts.tls.keyFile, '--oauth', 'basic');
  const scheme = opts.tls ? 'https' : 'http';
  // Azurite writes debug files into its working directory: give it its own.
  const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const ports = await new Promise<{ blob: number; queue: number }>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`Azurite did not start within ${timeoutMs} ms: ${out.slice(-500)}`)), timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      const blob = /Blob service is successfully listening at https?:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      const queue = /Queue service is successfully listening at https?:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (blob && queue && /Table service is successfully listening/.test(out)) {
        clearTimeout(timer);
        resolve({ blob: Number(blob[1]), queue: Number(queue[1]) });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited (${code}) before it was ready: ${out.slice(-500)}`));
    });
  });
  child.stdout.resume();
  child.stderr.resume();
  const blobEndpoint = `${scheme}://127.0.0.1:${ports.blob}/${AZURITE_ACCOUNT}`;
  const queueEndpoint = `${scheme}://127.0.0.1:${ports.queue}/${AZURITE_ACCOUNT}`;
  return {
    blobEndpoint,
    queueEndpoint,
    connectionString:
      `DefaultEndpointsProtocol=${scheme};AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};` +
      `BlobEndpoint=${blobEndpoint};QueueEndpoint=${queueEndpoint};`,
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      if (temp) rmSync(cwd, { recursive: true, force: true });
    },
  };
}
