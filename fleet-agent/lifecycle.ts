// The replica's state as the outside world sees it: starting → ready → draining. Health probes,
// the registry and the 503s for new requests all read it from here, so "draining" takes effect
// everywhere in the same tick.
import type { ReplicaState } from '../contracts/registry.js';
import type { Engine } from './engines/engine.js';

export class ReplicaLifecycle {
  private draining = false;
  private drainReason: string | null = null;
  private listeners = new Set<(s: ReplicaState) => void>();
  private last: ReplicaState;
  /** Requests being answered; drain waits for this to reach zero. */
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly engine: Engine) {
    this.last = this.state();
    engine.onStatus(() => this.emitIfChanged());
  }

  state(): ReplicaState {
    if (this.draining) return 'draining';
    return this.engine.status() === 'ready' ? 'ready' : 'starting';
  }

  /** /health/startup: the engine has been started (it may still be loading the model). */
  started(): boolean {
    const s = this.engine.status();
    return s === 'loading' || s === 'ready';
  }
  /** /health/ready: the model is loaded and we are not draining. */
  ready(): boolean {
    return this.state() === 'ready';
  }
  /**
   * The Application Health extension's rich state: Initializing while the engine starts or loads
   * the model (a 70B load takes many minutes and must not count as a failure), Healthy when it
   * serves, Unhealthy when it failed, stopped or drains, which is what lets automatic repairs act.
   */
  applicationHealthState(): 'Initializing' | 'Healthy' | 'Unhealthy' {
    if (this.draining) return 'Unhealthy';
    const s = this.engine.status();
    if (s === 'ready') return 'Healthy';
    return s === 'starting' || s === 'loading' ? 'Initializing' : 'Unhealthy';
  }
  isDraining(): boolean {
    return this.draining;
  }
  reason(): string | null {
    return this.drainReason;
  }

  /** Enters draining (idempotent); listeners run synchronously so the registry write starts now. */
  startDraining(reason: string): boolean {
    if (this.draining) return false;
    this.draining = true;
    this.drainReason = reason;
    this.emitIfChanged();
    return true;
  }

  onChange(listener: (s: ReplicaState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  requestStarted(): void {
    this.inFlight++;
  }
  requestFinished(): void {
    this.inFlight--;
    if (this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
  }
  inFlightCount(): number {
    return this.inFlight;
  }

  /** Resolves true when no request is in flight, false if `timeoutMs` passes first. */
  waitIdle(timeoutMs: number): Promise<boolean> {
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(
        () => {
          this.idleWaiters = this.idleWaiters.filter((w) => w !== done);
          resolve(false);
        },
        Math.max(0, timeoutMs),
      );
      this.idleWaiters.push(done);
    });
  }

  private emitIfChanged(): void {
    const now = this.state();
    if (now === this.last) return;
    this.last = now;
    for (const l of this.listeners) l(now);
  }
}
