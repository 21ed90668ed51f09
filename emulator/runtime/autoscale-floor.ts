// The part of Azure autoscale the local cloud evaluates: a scale set below its autoscale
// profile's minimum (after evictions with evictionPolicy Delete) is scaled back up to it, through
// an ARM PATCH of the scale set as Azure's autoscale engine does, on a fixed evaluation interval.
// Metric rules (scale out on queue length) are stored but not evaluated here.
import { request } from 'node:https';
import type { Json, Store } from '../core/store.js';

const AUTOSCALE_EVALUATION_MS = 10_000;
const VMSS_API_VERSION = '2024-11-01';

export interface ArmAccess {
  endpoint(): string;
  token: string;
  caCertPem: string;
}

export class AutoscaleFloor {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly store: Store,
    private readonly arm: ArmAccess,
    private readonly log: (msg: string) => void = () => undefined,
  ) {}

  start(intervalMs = AUTOSCALE_EVALUATION_MS): void {
    this.timer = setInterval(() => void this.evaluate(), intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One evaluation: every enabled setting whose target is below its minimum is raised to it. */
  async evaluate(): Promise<string[]> {
    if (this.running) return [];
    this.running = true;
    const raised: string[] = [];
    try {
      for (const r of this.store.all()) {
        if (r.type.toLowerCase() !== 'microsoft.insights/autoscalesettings' || r.doc.properties?.enabled === false) continue;
        const minimum = Number(r.doc.properties?.profiles?.[0]?.capacity?.minimum);
        const target = this.store.get(r.doc.properties?.targetResourceUri ?? '')?.doc;
        if (!target || !Number.isFinite(minimum) || target.properties?.provisioningState !== 'Succeeded') continue;
        if ((target.sku?.capacity ?? 0) >= minimum) continue;
        this.log(
          `autoscale ${r.doc.name}: ${target.name} has ${target.sku?.capacity ?? 0} instances, below the minimum ${minimum}; scaling to ${minimum}`,
        );
        await this.patch(target, { sku: { ...target.sku, capacity: minimum } });
        raised.push(target.name);
      }
    } finally {
      this.running = false;
    }
    return raised;
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
