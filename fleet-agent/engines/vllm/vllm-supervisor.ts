// Runs `vllm serve` as a child process (execa) and keeps it running: readiness by polling its
// /health, a restart with exponential backoff when it dies or never gets ready, a clean SIGTERM
// on stop. The engine status follows: starting (no process) → loading (process, not ready) → ready.
import { execa, type ResultPromise } from 'execa';
import type { AgentConfig } from '../../config.js';
import type { Logger } from '../../log.js';
import type { StatusCell } from '../engine.js';

type VllmConfig = Extract<AgentConfig['engine'], { type: 'vllm' }>;

/** The `vllm serve` arguments for a pool: model, name, quantisation, tensor parallelism, context. */
export function vllmServeArgs(config: VllmConfig, port: number): string[] {
  const args = [
    config.source,
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--served-model-name',
    config.model,
    '--tensor-parallel-size',
    String(config.tensorParallelSize),
    '--dtype',
    config.dtype,
    '--max-model-len',
    String(config.contextLength),
  ];
  if (config.quantization) args.push('--quantization', config.quantization);
  return [...args, ...config.extraArgs];
}

const KEEP_OUTPUT_LINES = 20;

export class VllmSupervisor {
  private child?: ResultPromise;
  private stopping = false;
  private attempt = 0;
  private restartTimer?: NodeJS.Timeout;
  private readyWaiters: (() => void)[] = [];
  private lastLines: string[] = [];
  restarts = 0;

  constructor(
    private readonly config: VllmConfig,
    readonly port: number,
    private readonly status: StatusCell,
    private readonly log: Logger,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    this.stopping = false;
    this.spawn();
  }

  /** Resolves the next time vLLM is ready (at once if it is). */
  whenReady(): Promise<void> {
    if (this.status.get() === 'ready') return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await child.catch(() => undefined);
    }
    this.status.set('stopped');
  }

  private spawn(): void {
    const [file, ...pre] = this.config.command;
    const args = [...pre, ...vllmServeArgs(this.config, this.port)];
    this.log.info('vllm starting', { command: file, args, attempt: this.attempt });
    this.lastLines = [];
    const child = execa(file, args, {
      env: this.config.env,
      reject: false,
      buffer: false,
      cleanup: true,
      forceKillAfterDelay: 10_000,
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
    });
    this.child = child;
    this.status.set('loading');
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) this.lastLines.push(line.slice(0, 500));
      if (this.lastLines.length > KEEP_OUTPUT_LINES) this.lastLines.splice(0, this.lastLines.length - KEEP_OUTPUT_LINES);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    void this.waitForHealth(child);
    void child.then((result) => {
      if (this.child !== child) return;
      if (this.stopping) return;
      this.status.set('starting');
      const delay = Math.min(this.config.restartBackoff.initialMs * 2 ** this.attempt, this.config.restartBackoff.maxMs);
      this.attempt++;
      this.restarts++;
      this.log.warn('vllm exited; restarting', {
        exitCode: result.exitCode,
        signal: result.signal,
        restartInMs: delay,
        lastOutput: this.lastLines,
      });
      this.restartTimer = setTimeout(() => this.spawn(), delay);
    });
  }

  /** Polls /health until 200; a process that never gets ready in time is killed (and restarted). */
  private async waitForHealth(child: ResultPromise): Promise<void> {
    const deadline = Date.now() + this.config.startupTimeoutMs;
    while (this.child === child && child.exitCode === null && !this.stopping) {
      try {
        const res = await fetch(`http://127.0.0.1:${this.port}/health`, { signal: AbortSignal.timeout(2000) });
        await res.body?.cancel();
        if (res.ok) {
          if (this.child !== child) return;
          this.attempt = 0;
          this.status.set('ready');
          this.log.info('vllm ready', { port: this.port, pid: child.pid });
          for (const w of this.readyWaiters.splice(0)) w();
          return;
        }
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) {
        this.log.error('vllm not ready in time; killing it', {
          startupTimeoutMs: this.config.startupTimeoutMs,
          lastOutput: this.lastLines,
        });
        child.kill('SIGKILL');
        return;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
