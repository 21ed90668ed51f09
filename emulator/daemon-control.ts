// Library functions behind `gpuarb local start|stop|status|reset`: start the daemon detached and
// wait for its ready line, stop it by pid with SIGTERM, report it from its lock file, reset
// state only when no daemon runs.
import { spawn } from 'node:child_process';
import { existsSync, openSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../lib/private-files.js';
import { isAlive, readLock, type DaemonInfo } from './daemon-lock.js';
import { packageRoot } from '../lib/package-root.js';

export type { DaemonInfo } from './daemon-lock.js';
export const DEFAULT_STATE_DIR = '.gpuarb/local';

/** The daemon program: the built bundle, or the TypeScript source through tsx in development. */
function daemonCommand(): string[] {
  const root = packageRoot();
  const built = join(root, 'dist', 'emulator.js');
  if (existsSync(built)) return [built];
  return ['--import', 'tsx', join(root, 'emulator', 'daemon.ts')];
}

export async function startDaemon(
  opts: { stateDir?: string; port?: number; profile?: 'fast' | 'realistic'; timeoutMs?: number } = {},
): Promise<DaemonInfo> {
  const stateDir = resolve(opts.stateDir ?? DEFAULT_STATE_DIR);
  ensurePrivateDir(stateDir);
  const running = readLock(stateDir);
  if (running?.endpoint)
    throw new Error(
      `A local cloud daemon (pid ${running.pid}, ${running.endpoint}) already runs on state dir ${stateDir}. Stop it with \`gpuarb local stop\`.`,
    );
  const log = openSync(join(stateDir, 'daemon.log'), 'a', PRIVATE_FILE_MODE);
  const child = spawn(
    process.execPath,
    [...daemonCommand(), '--state-dir', stateDir, '--port', String(opts.port ?? 0), '--profile', opts.profile ?? 'fast'],
    {
      detached: true,
      stdio: ['ignore', 'pipe', log],
      cwd: packageRoot(),
    },
  );
  // stdio[1] is 'pipe', so Node always creates stdout; the check gives the type that guarantee.
  const stdout = child.stdout;
  if (!stdout) throw new Error('The local cloud daemon was spawned without a stdout pipe.');
  const line = await new Promise<string>((resolveLine, reject) => {
    let buf = '';
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(
        new Error(`The local cloud daemon did not become ready within ${opts.timeoutMs ?? 20000} ms; see ${join(stateDir, 'daemon.log')}.`),
      );
    }, opts.timeoutMs ?? 20_000);
    stdout.on('data', (c: Buffer) => {
      buf += c.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolveLine(buf.slice(0, nl));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!buf.includes('\n'))
        reject(new Error(`The local cloud daemon exited (code ${code}) before it was ready; see ${join(stateDir, 'daemon.log')}.`));
    });
  });
  stdout.destroy();
  child.unref();
  const msg = JSON.parse(line);
  if (!msg.ready) throw new Error(msg.error);
  const { ready: _r, ...info } = msg;
  return info as DaemonInfo;
}

export function daemonStatus(opts: { stateDir?: string } = {}): DaemonInfo | undefined {
  const info = readLock(resolve(opts.stateDir ?? DEFAULT_STATE_DIR));
  return info?.endpoint ? info : undefined;
}

/** Stops the daemon (SIGTERM, state flushed); resolves once the process is gone. */
export async function stopDaemon(opts: { stateDir?: string; timeoutMs?: number } = {}): Promise<{ stopped: boolean; pid?: number }> {
  const info = readLock(resolve(opts.stateDir ?? DEFAULT_STATE_DIR));
  if (!info) return { stopped: false };
  process.kill(info.pid, 'SIGTERM');
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  while (isAlive(info.pid)) {
    if (Date.now() > deadline)
      throw new Error(`The local cloud daemon (pid ${info.pid}) did not stop within ${opts.timeoutMs ?? 10_000} ms.`);
    await new Promise((r) => setTimeout(r, 20)); // bounded poll for process exit
  }
  return { stopped: true, pid: info.pid };
}

/** Deletes the resources (state.json); keeps CA, certificate and token so clients keep trusting. */
export function resetState(opts: { stateDir?: string } = {}): { stateDir: string; removed: boolean } {
  const stateDir = resolve(opts.stateDir ?? DEFAULT_STATE_DIR);
  const running = readLock(stateDir);
  if (running) throw new Error(`Stop the local cloud daemon (pid ${running.pid}) before resetting ${stateDir}.`);
  const file = join(stateDir, 'state.json');
  const removed = existsSync(file);
  rmSync(file, { force: true });
  return { stateDir, removed };
}
