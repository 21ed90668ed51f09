// Starts Azurite's queue service as a child process on a free loopback port (port 0; the port
// is read from its "listens on" line) with in-memory persistence, and gives the connection string.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { createRequire } from 'node:module';

export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface TestAzurite {
  connectionString: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startTestAzurite(timeoutMs = 20_000): Promise<TestAzurite> {
  const require = createRequire(import.meta.url);
  const main = join(dirname(require.resolve('azurite/package.json')), 'dist', 'src', 'queue', 'main.js');
  // Azurite writes debug/telemetry files into its working directory: give it its own.
  const cwd = mkdtempSync(join(tmpdir(), 'gw-azurite-'));
  const child = spawn(
    process.execPath,
    [main, '--queueHost', '127.0.0.1', '--queuePort', '0', '--inMemoryPersistence', '--disableTelemetry', '--skipApiVersionCheck'],
    { cwd, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`azurite did not start in ${timeoutMs} ms: ${out}`)), timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listens on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`azurite exited (${code}): ${out}`));
    });
  });
  child.stdout!.resume();
  child.stderr!.resume();
  const connectionString =
    `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};` +
    `QueueEndpoint=http://127.0.0.1:${port}/${AZURITE_ACCOUNT};`;
  return {
    connectionString,
    process: child,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}
