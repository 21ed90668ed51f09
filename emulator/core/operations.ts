// Long-running operations as ARM runs them: an operation id, a status document at the
// Azure-AsyncOperation URL (InProgress → Succeeded/Failed/Canceled) and a result at the Location
// URL (202 while running, then the final answer). Work runs after the type's latency; with zero
// latency it runs before the first response, so the client's first poll already sees the end.
import type { ServerResponse } from 'node:http';
import { ArmError } from './errors.js';
import type { Rng } from './random.js';

export type OpStatus = 'InProgress' | 'Succeeded' | 'Failed' | 'Canceled';

export interface Operation {
  id: string;
  status: OpStatus;
  startTime: string;
  endTime?: string;
  error?: ArmError;
  /** What the Location URL answers once Succeeded (undefined = 204 No Content). */
  result?: unknown;
  namespace: string;
  location: string;
  /** Epoch ms at which the work runs; drives Retry-After. */
  dueAt: number;
  done: Promise<void>;
}

export class Operations {
  private readonly ops = new Map<string, Operation>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly rng: Rng) {}

  /**
   * Starts `work` after `latencyMs`. Its return value becomes the Location result; a thrown
   * ArmError fails the operation. Resolves once the operation is registered (and, with zero
   * latency, finished).
   */
  async start(namespace: string, location: string, latencyMs: number, work: () => Promise<unknown>): Promise<Operation> {
    const op: Operation = {
      id: this.rng.uuid(),
      status: 'InProgress',
      startTime: new Date().toISOString(),
      namespace,
      location: location.replace(/\s/g, '').toLowerCase() || 'global',
      dueAt: Date.now() + latencyMs,
      done: Promise.resolve(),
    };
    this.ops.set(op.id, op);
    const run = async (): Promise<void> => {
      try {
        op.result = await work();
        op.status = 'Succeeded';
      } catch (err) {
        op.status = 'Failed';
        op.error = err instanceof ArmError ? err : new ArmError(500, 'InternalServerError', String((err as Error)?.message ?? err));
      }
      op.endTime = new Date().toISOString();
    };
    if (latencyMs <= 0) {
      await run();
    } else {
      op.done = new Promise((resolve) => {
        const t = setTimeout(() => {
          this.timers.delete(t);
          void run().then(resolve);
        }, latencyMs);
        this.timers.add(t);
      });
    }
    return op;
  }

  get(id: string): Operation | undefined {
    return this.ops.get(id);
  }

  statusUrl(base: string, sub: string, op: Operation, apiVersion: string): string {
    return `${base}/subscriptions/${sub}/providers/${op.namespace}/locations/${op.location}/operationStatuses/${op.id}?api-version=${apiVersion}`;
  }
  resultUrl(base: string, sub: string, op: Operation, apiVersion: string): string {
    return `${base}/subscriptions/${sub}/providers/${op.namespace}/locations/${op.location}/operationResults/${op.id}?api-version=${apiVersion}`;
  }

  /**
   * Retry-After headers for a running operation. Azure sends whole seconds; we send one only
   * when at least a second remains, because the SDK pollers let Retry-After override the
   * caller's `updateIntervalInMs` and a sub-second operation must not cost a test a second.
   */
  retryAfter(op: Operation): Record<string, string> {
    const left = Math.floor((op.dueAt - Date.now()) / 1000);
    return op.status === 'InProgress' && left >= 1 ? { 'retry-after': String(Math.min(left, 15)) } : {};
  }

  /** Answers GET on an operationStatuses / operationResults URL. */
  answer(
    kind: 'status' | 'result',
    id: string,
    res: ServerResponse,
    send: (res: ServerResponse, status: number, body?: unknown, headers?: Record<string, string>) => void,
    selfUrl: string,
  ): void {
    const op = this.ops.get(id);
    if (!op) throw new ArmError(404, 'OperationNotFound', `The operation '${id}' could not be found.`);
    if (kind === 'status') {
      const body: Record<string, unknown> = {
        id: selfUrl.split('?')[0].replace(/^https:\/\/[^/]+/, ''),
        name: op.id,
        status: op.status,
        startTime: op.startTime,
      };
      if (op.endTime) body.endTime = op.endTime;
      if (op.error) body.error = op.error.toBody().error;
      send(res, 200, body, this.retryAfter(op));
      return;
    }
    if (op.status === 'InProgress') {
      send(res, 202, undefined, { location: selfUrl, ...this.retryAfter(op) });
      return;
    }
    if (op.status === 'Failed' && op.error) throw op.error;
    // Compute's operationResults answer 200 with an empty body once done; the new-generation
    // pollers (resourceLocationConfig 'location') reject a 204 there.
    if (op.result === undefined) send(res, 200);
    else send(res, 200, op.result);
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
