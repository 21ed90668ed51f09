// The local cloud's autoscale engine: on a fixed interval each enabled setting's profile is
// evaluated (autoscale-rules.ts) on the metric values actually published (metric-store.ts) —
// capacity bounds (e.g. a pool below its minimum after Spot evictions with evictionPolicy Delete),
// then the metric rules with their cooldown — and the target scale set is changed through an ARM
// PATCH, as Azure's engine does.
import { request } from 'node:https';
import type { Json, Store } from '../core/store.js';
import { decide } from './autoscale-rules.js';
import { MetricStore } from './metric-store.js';

const AUTOSCALE_EVALUATION_MS = 10_000;
const VMSS_API_VERSION = '2024-11-01';

export interface ArmAccess {
  endpoint(): string;
  token: string;
  caCertPem: string;
}

export class AutoscaleEngine {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  /** When each setting last scaled its target: cooldowns count from it. */
  private readonly lastActionAt = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly arm: ArmAccess,
    private readonly log: (msg: string) => void = () => undefined,
    readonly metrics: MetricStore = new MetricStore(),
    private readonly now: () => number = Date.now,
  ) {}

  start(intervalMs = AUTOSCALE_EVALUATION_MS): void {
    this.timer = setInterval(() => void this.evaluate(), intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One evaluation of every enabled setting; the names of the scale sets it changed. */
  async evaluate(): Promise<string[]> {
    if (this.running) return [];
    this.running = true;
    const changed: string[] = [];
    try {
      for (const r of this.store.all()) {
        if (r.type.toLowerCase() !== 'microsoft.insights/autoscalesettings' || r.doc.properties?.enabled === false) continue;
        const profile = r.doc.properties?.profiles?.[0];
        const target = this.store.get(r.doc.properties?.targetResourceUri ?? '')?.doc;
        if (!profile || !target || target.properties?.provisioningState !== 'Succeeded') continue;
        const current = target.sku?.capacity ?? 0;
        const now = this.now();
        const decision = decide(profile, target.id, current, this.metrics, now, this.lastActionAt.get(r.doc.id));
        if (!decision) continue;
        this.log(`autoscale ${r.doc.name}: ${target.name} has ${current} instances, ${decision.reason}; scaling to ${decision.capacity}`);
        await this.patch(target, { sku: { ...target.sku, capacity: decision.capacity } });
        this.lastActionAt.set(r.doc.id, now);
        changed.push(target.name);
      }
    } finally {
      this.running = false;
    }
    return changed;
  }

  private patch(target: Json, body: Json): Promise<void> {
    const url = new URL(`${target.id}?api-version=${VMSS_API_VERSION}`, this.arm.endpoint());
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method: 'PATCH',
          ca: this.arm.caCertPem,
          headers: { authorization: `Bearer ${this.arm.token}`, 'content-type': 'application/json' },
          timeout: 30_000,
        },
        (res) => {
          res.resume();
          res.on('end', () =>
            (res.statusCode ?? 500) < 300 ? resolve() : reject(new Error(`autoscale PATCH ${target.name}: HTTP ${res.statusCode}`)),
          );
        },
      );
      req.on('timeout', () => req.destroy(new Error('autoscale PATCH timed out')));
      req.on('error', reject);
      req.end(JSON.stringify(body));
    });
  }
}
