// Spot evictions with notice: a Preempt scheduled event is published to the IMDS module (the
// ScheduledEventsSink), where the VM's agent sees it and drains; the `evicting` hooks run; and
// after the notice — or at once when the VM acknowledges the event — the VM is deleted or
// deallocated per its evictionPolicy. Schedules evict a VM at a given time, for replayable runs.
import type { Core } from '../core/behavior.js';
import type { EvictOptions, EvictionSchedule } from '../core/control.js';
import type { ScheduledEventsSink } from '../core/dataplane-contract.js';
import { ArmError } from '../core/errors.js';
import { instanceView, VM_TYPE } from './compute-instance-view.js';

interface Pending {
  eventId: string;
  vmName: string;
  vmId: string;
  timer: NodeJS.Timeout;
  resolve: () => void;
  done: Promise<void>;
}

export class Evictions {
  private readonly pending = new Map<string, Pending>();
  private readonly schedules = new Set<NodeJS.Timeout>();

  constructor(private readonly core: Core) {
    core.onStop(() => this.stop());
  }

  private sink(): ScheduledEventsSink {
    return this.core.service<ScheduledEventsSink>('scheduledEvents');
  }

  /** Publishes the Preempt notice; the eviction itself completes after `noticeSeconds`. */
  async evict(vmId: string, opts: EvictOptions = {}): Promise<{ eventId: string; done: Promise<void> }> {
    const vm = this.core.store.get(vmId)?.doc;
    if (!vm || vm.type !== VM_TYPE)
      throw new ArmError(404, 'ResourceNotFound', `The Resource '${VM_TYPE}/${vmId.split('/').pop()}' was not found.`);
    const already = [...this.pending.values()].find((p) => p.vmId.toLowerCase() === vm.id.toLowerCase());
    if (already) return { eventId: already.eventId, done: already.done };
    const notice = Math.max(0, opts.noticeSeconds ?? 30);
    const eventId = this.core.rng.uuid().toUpperCase();
    this.sink().publish(vm.name, {
      EventId: eventId,
      EventType: 'Preempt',
      ResourceType: 'VirtualMachine',
      Resources: [vm.name],
      EventStatus: 'Scheduled',
      NotBefore: new Date(Date.now() + notice * 1000).toUTCString(),
      Description: 'Virtual machine is being evicted from Azure Spot.',
      EventSource: 'Platform',
      DurationInSeconds: -1,
    });
    await this.core.behaviors.run('evicting', VM_TYPE, vm, this.core, notice);
    let resolve!: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    const timer = setTimeout(() => void this.complete(eventId), notice * 1000);
    this.pending.set(eventId, { eventId, vmName: vm.name, vmId: vm.id, timer, resolve, done });
    if (notice === 0) await this.complete(eventId);
    return { eventId, done };
  }

  /** The VM acknowledged the event (IMDS StartRequests): evict now, as Azure does. */
  expedite(eventId: string): void {
    if (this.pending.has(eventId)) void this.complete(eventId);
  }

  /** Drop a pending event whose VM went away by other means. */
  forget(vmName: string): void {
    for (const p of this.pending.values()) {
      if (p.vmName !== vmName) continue;
      clearTimeout(p.timer);
      this.pending.delete(p.eventId);
      this.sink().complete?.(p.vmName, p.eventId);
      p.resolve();
    }
  }

  private async complete(eventId: string): Promise<void> {
    const p = this.pending.get(eventId);
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(eventId);
    const vm = this.core.store.get(p.vmId)?.doc;
    if (vm) {
      if (vm.properties?.evictionPolicy === 'Delete') {
        await this.core.deleteInternal(vm.id);
      } else {
        vm.properties.instanceView = instanceView(vm.properties.osProfile?.computerName ?? vm.name, 'deallocated');
        this.core.store.changed();
      }
    }
    this.sink().complete?.(p.vmName, eventId);
    p.resolve();
  }

  schedule(s: EvictionSchedule): void {
    const t = setTimeout(
      () => {
        this.schedules.delete(t);
        void this.evict(s.vmId, { noticeSeconds: s.noticeSeconds }).catch(() => undefined);
      },
      Math.max(0, s.at - Date.now()),
    );
    this.schedules.add(t);
  }

  stop(): void {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    for (const t of this.schedules) clearTimeout(t);
    this.pending.clear();
    this.schedules.clear();
  }
}
