// Spawns the agent as a real process (`node --import tsx fleet-agent/main.ts --config …`) and
// reads its JSON log lines. tsx rather than dist/: other engineers' test runs rebuild dist/
// concurrently, and a spawn must never race with that.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface SpawnedProcess {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  stderr: () => string;
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Spawns `node --import tsx <script> ...args` from the repo root, collecting JSON stdout lines. */
function spawnTsx(script: string, args: string[], env: NodeJS.ProcessEnv = {}): SpawnedProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, script), ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let err = '';
  let partial = '';
  const onLine = (chunk: Buffer) => {
    partial += chunk.toString();
    const parts = partial.split('\n');
    partial = parts.pop() ?? ''; // split always yields at least one part: the unfinished line
    for (const p of parts) {
      try {
        lines.push(JSON.parse(p) as Record<string, unknown>);
      } catch {
        /* not JSON */
      }
    }
  };
  child.stdout.on('data', onLine);
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString();
    onLine(c);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    exited,
    stderr: () => err,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Writes `config` to a temp file and starts the agent; resolves with its URL once it listens. */
export async function spawnAgent(config: object, env: NodeJS.ProcessEnv = {}): Promise<SpawnedProcess & { url: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'gpuarb-agent-'));
  const file = join(dir, 'agent.json');
  writeFileSync(file, JSON.stringify(config));
  const p = spawnTsx('fleet-agent/main.ts', ['--config', file], env);
  const exitedEarly = p.exited.then((code) => {
    throw new Error(`agent exited with ${code}: ${p.stderr()}`);
  });
  const listening = await Promise.race([
    waitFor('the agent to listen', () => p.lines.find((l) => l.msg === 'listening'), 20_000, 20),
    exitedEarly,
  ]);
  exitedEarly.catch(() => undefined); // a later exit is the test's business
  return Object.assign(p, { url: listening.url as string });
}
