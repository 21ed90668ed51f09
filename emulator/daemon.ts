// The local cloud as a daemon (`dist/emulator.js`, started by `gpuarb local start`):
//   node dist/emulator.js --state-dir .gpuarb/local [--port 0] [--profile fast|realistic]
// Prints one JSON line `{"ready":true,endpoint,caCertPath,subscriptionId,stateDir,pid}` on stdout
// once listening, or `{"ready":false,"error":...}` and exits 1. SIGTERM/SIGINT stop it cleanly
// (state flushed, lock released).
import { renameSync } from 'node:fs';
import { resolve } from 'node:path';
import { ensurePrivateDir } from '../lib/private-files.js';
import { type Emulator, startEmulator } from './index.js';
import { acquireLock, releaseLock, lockPath, type DaemonInfo } from './daemon-lock.js';
import { writeFileSync } from 'node:fs';

function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const stateDir = resolve(arg(argv, '--state-dir') ?? '.gpuarb/local');
  const port = Number(arg(argv, '--port') ?? '0');
  const profile = (arg(argv, '--profile') ?? 'fast') as 'fast' | 'realistic';
  const out = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
  try {
    ensurePrivateDir(stateDir);
    acquireLock(stateDir);
  } catch (err) {
    out({ ready: false, error: (err as Error).message });
    process.exitCode = 1;
    return;
  }
  let emu: Emulator;
  try {
    emu = await startEmulator({
      stateDir,
      port,
      profile,
      latencyScale: Number(arg(argv, '--latency-scale') ?? '1'),
      seed: Number(arg(argv, '--seed') ?? '1'),
      platform: argv.includes('--api-only') ? false : { persistStorage: true },
    });
  } catch (err) {
    releaseLock(stateDir);
    const e = err as NodeJS.ErrnoException;
    const message =
      e.code === 'EADDRINUSE' ? `Port ${port} is already in use on 127.0.0.1; choose another with --port (0 picks a free one).` : e.message;
    out({ ready: false, error: message });
    process.exitCode = 1;
    return;
  }
  const info: DaemonInfo = {
    endpoint: emu.endpoint,
    caCertPath: emu.caCertPath,
    subscriptionId: emu.subscriptionId,
    stateDir,
    pid: process.pid,
  };
  const tmp = `${lockPath(stateDir)}.tmp`;
  writeFileSync(tmp, JSON.stringify(info));
  renameSync(tmp, lockPath(stateDir));
  const stop = async () => {
    await emu.stop();
    releaseLock(stateDir);
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
  out({ ready: true, ...info });
}

// Run when executed directly (node dist/emulator.js or tsx emulator/daemon.ts).
const entry = process.argv[1] ?? '';
if (/(?:^|[\\/])(?:emulator\.js|daemon\.ts)$/.test(entry)) void main();
