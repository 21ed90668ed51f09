// The local cloud's Application Health extension and automatic instance repairs. Every VM of a
// scale set with the extension is probed at its `intervalInSeconds` on the extension's
// `requestPath` (at the agent's local address: locally agents listen on port 0, not on the
// configured port); the answers drive the documented state machine (health-extension.ts), whose
// state is the VM's instance view `vmHealth`. Automatic repairs (the scale set's
// `automaticRepairsPolicy`) act only on Unhealthy or Unknown instances, only once the repair
// grace period after the instance's creation has passed, and one instance at a time below 20
// instances (5% above). Replace deletes the VM and asks the scale set for a new one through ARM;
// Restart and Reimage restart the guest. docs/emulator.md ### 7.
import type { Json, Store } from '../core/store.js';
import { HealthStateMachine, healthSettingsOf, readProbeAnswer, triggersRepair, type HealthSettings } from './health-extension.js';
import { armRequest, type ArmAccess } from './arm-request.js';

const VM_TYPE = 'microsoft.compute/virtualmachines';
const VM_API_VERSION = '2024-11-01';

export interface HealthMonitorDeps {
  store: Store;
  /** Where the VM's guest answers HTTP, if anything listens. */
  guestUrl(vmName: string): string | undefined;
  /** Restart/Reimage: the guest boots again. */
  restartGuest(vm: Json): Promise<void>;
  arm?: ArmAccess;
  log(msg: string): void;
  /** Scales every documented duration (probe interval, grace periods); tests shorten them. */
  timeScale?: number;
  now?: () => number;
}

interface Watched {
  vmId: string;
  settings: HealthSettings;
  machine: HealthStateMachine;
  /** When the repair grace period starts: the instance's creation (or its last repair). */
  since: number;
  nextProbe: number;
  probing: boolean;
}

/** ISO 8601 `PTnM`/`PTnH` of automaticRepairsPolicy.gracePeriod, in minutes; PT10M when absent. */
export function repairGraceMinutes(policy: Json | undefined): number {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?$/i.exec(String(policy?.gracePeriod ?? 'PT10M'));
  return m ? Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0) : 10;
}

export class HealthMonitor {
  private readonly watched = new Map<string, Watched>();
  /** VM name → its scale set id, while a repair of it runs. */
  private readonly repairing = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private readonly scale: number;
  private readonly now: () => number;

  constructor(private readonly deps: HealthMonitorDeps) {
    this.scale = deps.timeScale ?? 1;
    this.now = deps.now ?? Date.now;
  }

  start(tickMs = Math.max(20, 250 * this.scale)): void {
    this.timer = setInterval(() => void this.tick(), tickMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** The extension starts with the VM's guest: Initializing again after a restart. */
  guestStarted(vm: Json): void {
    const vmss = this.deps.store.get(vm.properties?.virtualMachineScaleSet?.id ?? '')?.doc;
    const settings = healthSettingsOf(vmss);
    if (!settings) return;
    const t = this.now();
    const w: Watched = {
      vmId: vm.id,
      settings,
      machine: new HealthStateMachine(settings, t, 1000 * this.scale),
      since: t,
      nextProbe: t,
      probing: false,
    };
    this.watched.set(vm.name, w);
    this.writeState(vm, w);
  }

  forget(vmName: string): void {
    this.watched.delete(vmName);
  }

  private async tick(): Promise<void> {
    const t = this.now();
    for (const [name, w] of this.watched) {
      if (w.probing || t < w.nextProbe) continue;
      const vm = this.deps.store.get(w.vmId)?.doc;
      if (!vm) {
        this.watched.delete(name);
        continue;
      }
      w.probing = true;
      w.nextProbe = t + w.settings.intervalSeconds * 1000 * this.scale;
      void this.probe(name, w)
        .then((signal) => {
          w.machine.observe(signal, this.now());
          this.writeState(vm, w);
        })
        .finally(() => {
          w.probing = false;
        });
    }
    await this.repairs();
  }

  private async probe(name: string, w: Watched): Promise<'Healthy' | 'Unhealthy' | 'Unknown'> {
    const base = this.deps.guestUrl(name);
    if (!base) return readProbeAnswer(w.settings, undefined, ''); // nothing listens: unreachable
    try {
      const r = await fetch(`${base.replace(/\/$/, '')}${w.settings.requestPath}`, { signal: AbortSignal.timeout(2000) });
      return readProbeAnswer(w.settings, r.status, await r.text());
    } catch {
      return readProbeAnswer(w.settings, undefined, ''); // timed out or refused
    }
  }

  private writeState(vm: Json, w: Watched): void {
    const view = vm.properties?.instanceView;
    if (!view) return;
    const health = w.machine.state.toLowerCase();
    const code = `HealthState/${health}`;
    if (view.vmHealth?.status?.code === code) return;
    view.vmHealth = { status: { code, level: 'Info', displayStatus: `The VM is ${health}`, time: new Date(this.now()).toISOString() } };
    this.deps.store.changed();
  }

  private async repairs(): Promise<void> {
    const t = this.now();
    const byScaleSet = new Map<string, { vmss: Json; due: [string, Watched][]; size: number }>();
    for (const [name, w] of this.watched) {
      const vm = this.deps.store.get(w.vmId)?.doc;
      const vmss = this.deps.store.get(vm?.properties?.virtualMachineScaleSet?.id ?? '')?.doc;
      const policy = vmss?.properties?.automaticRepairsPolicy;
      if (!vm || !vmss || policy?.enabled !== true) continue;
      const entry = byScaleSet.get(vmss.id) ?? { vmss, due: [], size: 0 };
      entry.size++;
      const graceOver = t - w.since >= repairGraceMinutes(policy) * 60_000 * this.scale;
      if (graceOver && triggersRepair(w.machine.state) && !this.repairing.has(name)) entry.due.push([name, w]);
      byScaleSet.set(vmss.id, entry);
    }
    for (const { vmss, due, size } of byScaleSet.values()) {
      const inFlight = [...this.repairing.values()].filter((id) => id === vmss.id).length;
      const batch = size < 20 ? 1 : Math.max(1, Math.floor(size * 0.05));
      for (const [name, w] of due.slice(0, Math.max(0, batch - inFlight))) void this.repair(vmss, name, w);
    }
  }

  private async repair(vmss: Json, name: string, w: Watched): Promise<void> {
    const action = String(vmss.properties.automaticRepairsPolicy.repairAction ?? 'Replace');
    this.repairing.set(name, vmss.id);
    this.deps.log(`automatic repairs ${vmss.name}: ${name} is ${w.machine.state} after the grace period; ${action}`);
    try {
      const vm = this.deps.store.get(w.vmId)?.doc;
      if (!vm) return;
      if (/^(restart|reimage)$/i.test(action)) {
        await this.deps.restartGuest(vm);
        this.guestStarted(vm); // the grace period starts again after the state change
        return;
      }
      await this.replace(vmss, vm);
    } catch (e) {
      this.deps.log(`automatic repairs ${vmss.name}: ${name}: ${(e as Error).message}`);
    } finally {
      this.repairing.delete(name);
    }
  }

  /** Replace: delete the instance, then bring the scale set back to its capacity (a new VM, latest model). */
  private async replace(vmss: Json, vm: Json): Promise<void> {
    const arm = this.deps.arm;
    if (!arm) throw new Error('no ARM access for Replace');
    const capacity = vmss.sku?.capacity ?? 0;
    await armRequest(arm, 'DELETE', `${vm.id}?api-version=${VM_API_VERSION}`);
    const deadline = this.now() + 60_000;
    while (this.deps.store.all().some((r) => r.type.toLowerCase() === VM_TYPE && r.doc.id === vm.id)) {
      if (this.now() > deadline) throw new Error(`${vm.name} was not deleted within 60 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await armRequest(arm, 'PATCH', `${vmss.id}?api-version=${VM_API_VERSION}`, { sku: { ...vmss.sku, capacity } });
  }
}
