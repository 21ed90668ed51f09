// Child processes the local cloud runs for resources (agents for VMs, the gateway for the
// function app): started with a config file, their JSON log lines captured for Log Analytics,
// stopped with SIGTERM (so agents drain) and SIGKILL after a grace period. Nothing outlives stop().
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  /** Resolves with the first stdout line that matches (e.g. the "listening" log line). */
  waitForLine(match: (line: string) => boolean, timeoutMs: number): Promise<string>;
  stop(graceMs?: number): Promise<void>;
  readonly exited: boolean;
}

export interface StartProcessOptions {
  name: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** Every output line (stdout and stderr), for the log sink. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  onExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
}

export class ProcessGroup {
  private readonly procs = new Set<ManagedProcess>();

  /** `env` is added to every process's environment. */
  constructor(private readonly env: Record<string, string> = {}) {}

  start(opts: StartProcessOptions): ManagedProcess {
    const child = spawn(process.execPath, opts.args, {
      cwd: opts.cwd,
      env: { ...process.env, ...this.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const waiters = new Set<(line: string) => void>();
    let exited = false;
    for (const [stream, s] of [
      ['stdout', child.stdout],
      ['stderr', child.stderr],
    ] as const) {
      createInterface({ input: s }).on('line', (line) => {
        opts.onLine?.(line, stream);
        for (const w of waiters) w(line);
      });
    }
    const exitPromise = new Promise<void>((resolve) =>
      child.once('exit', (code, signal) => {
        exited = true;
        this.procs.delete(managed);
        opts.onExit?.(code, signal);
        resolve();
      }),
    );
    const managed: ManagedProcess = {
      name: opts.name,
      child,
      get exited() {
        return exited;
      },
      waitForLine: (match, timeoutMs) =>
        new Promise((resolve, reject) => {
          const fail = (err: Error) => {
            stopWaiting();
            reject(err);
          };
          const timer = setTimeout(() => fail(new Error(`${opts.name} did not report ready within ${timeoutMs} ms`)), timeoutMs);
          const onLine = (line: string) => {
            if (!match(line)) return;
            stopWaiting();
            resolve(line);
          };
          const onExit = () => fail(new Error(`${opts.name} exited before it was ready`));
          const stopWaiting = () => {
            clearTimeout(timer);
            waiters.delete(onLine);
            child.off('exit', onExit);
          };
          waiters.add(onLine);
          child.once('exit', onExit);
        }),
      stop: async (graceMs = 10_000) => {
        if (exited) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exitPromise;
        clearTimeout(timer);
      },
    };
    this.procs.add(managed);
    return managed;
  }

  async stopAll(graceMs = 10_000): Promise<void> {
    await Promise.all([...this.procs].map((p) => p.stop(graceMs)));
  }
}
