import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ComputeManagementClient, type VirtualMachine } from '@azure/arm-compute';
import { ResourceManagementClient } from '@azure/arm-resources';
import { required } from '../../lib/required.js';
import { flexSpotScaleSet } from '../../testkit/fixtures/flex-spot-scale-set.js';
import { startEmulator, type Emulator, type ScheduledEvent } from '../index.js';

let emu: Emulator;
let compute: ComputeManagementClient;
const events: { vm: string; event: ScheduledEvent }[] = [];
const poll = { updateIntervalInMs: 1 };

/** A Flexible spot scale set; `extra` replaces top-level fields. The profile is always there, for tests to edit. */
beforeAll(async () => {
  emu = await startEmulator({ scheduledEvents: { publish: (vm, event) => void events.push({ vm, event }) } });
  compute = new ComputeManagementClient(emu.credential, emu.subscriptionId, emu.clientOptions());
  const rm = new ResourceManagementClient(emu.credential, emu.subscriptionId, emu.clientOptions());
  await rm.resourceGroups.createOrUpdate('rg-c', { location: 'eastus' });
});
afterAll(async () => emu?.stop());

const vmName = (vm: VirtualMachine) => required(vm.name, 'a listed VM name');
const vmsIn = async (vmssName: string) => {
  const out = [];
  for await (const vm of compute.virtualMachines.list('rg-c')) if (vm.virtualMachineScaleSet?.id?.endsWith(`/${vmssName}`)) out.push(vm);
  return out;
};

describe('Flexible spot scale sets through the new-generation @azure/arm-compute', () => {
  it('creates instances as ordinary VMs with zone, priority mix and instance view', async () => {
    const vmss = await compute.virtualMachineScaleSets.createOrUpdate('rg-c', 'pool-a', flexSpotScaleSet(4), poll);
    expect(vmss).toMatchObject({ name: 'pool-a', provisioningState: 'Succeeded', orchestrationMode: 'Flexible', sku: { capacity: 4 } });
    const vms = await vmsIn('pool-a');
    expect(vms).toHaveLength(4);
    expect(vms.filter((v) => v.priority === 'Regular')).toHaveLength(1);
    expect(new Set(vms.map((v) => v.zones?.[0]))).toEqual(new Set(['1', '2', '3']));
    const view = await compute.virtualMachines.instanceView('rg-c', vmName(vms[0]));
    expect(view.statuses?.map((s) => s.code)).toContain('PowerState/running');
    const expanded = await compute.virtualMachines.get('rg-c', vmName(vms[0]), { expand: 'instanceView' });
    expect(expanded.instanceView?.statuses?.length).toBe(2);
  });

  it('scales in and out, and batch-deletes instances', async () => {
    await compute.virtualMachineScaleSets.createOrUpdate('rg-c', 'pool-b', flexSpotScaleSet(3), poll);
    await compute.virtualMachineScaleSets.update('rg-c', 'pool-b', { sku: { capacity: 1 } }, poll);
    expect(await vmsIn('pool-b')).toHaveLength(1);
    await compute.virtualMachineScaleSets.update('rg-c', 'pool-b', { sku: { capacity: 3 } }, poll);
    const vms = await vmsIn('pool-b');
    expect(vms).toHaveLength(3);
    await compute.virtualMachineScaleSets.deleteInstances('rg-c', 'pool-b', { instanceIds: [vmName(vms[1]), vmName(vms[2])] }, poll);
    expect(await vmsIn('pool-b')).toHaveLength(1);
    expect((await compute.virtualMachineScaleSets.get('rg-c', 'pool-b')).sku?.capacity).toBe(1);
    await compute.virtualMachines.delete('rg-c', vmName((await vmsIn('pool-b'))[0]), poll);
    expect((await compute.virtualMachineScaleSets.get('rg-c', 'pool-b')).sku?.capacity).toBe(0);
    await compute.virtualMachineScaleSets.delete('rg-c', 'pool-b', poll);
    await expect(compute.virtualMachineScaleSets.get('rg-c', 'pool-b')).rejects.toMatchObject({ statusCode: 404 });
  });

  it('evicts a spot VM with a Preempt notice, through simulateEviction and control.evict', async () => {
    await compute.virtualMachineScaleSets.createOrUpdate('rg-c', 'pool-e', flexSpotScaleSet(3), poll);
    const spot = (await vmsIn('pool-e')).filter((v) => v.priority === 'Spot');
    await compute.virtualMachines.simulateEviction('rg-c', vmName(spot[0]));
    expect(events.find((e) => e.vm === spot[0].name)?.event).toMatchObject({ EventType: 'Preempt', Resources: [spot[0].name] });
    expect(await vmsIn('pool-e')).toHaveLength(2);
    // A long notice keeps the check race-free; the VM's acknowledgement (as IMDS reports it)
    // then evicts at once, as Azure does.
    const { eventId, done } = await emu.control.evict(required(spot[1].id, 'the spot VM id'), { noticeSeconds: 30 });
    expect(await vmsIn('pool-e')).toHaveLength(2);
    emu.core.service<{ expedite(id: string): void }>('evictions').expedite(eventId);
    await done;
    expect(await vmsIn('pool-e')).toHaveLength(1);
    const regular = (await vmsIn('pool-e'))[0];
    await expect(compute.virtualMachines.simulateEviction('rg-c', vmName(regular))).rejects.toMatchObject({ code: 'OperationNotAllowed' });
  });

  it('rejects what Azure rejects', async () => {
    const noEviction = flexSpotScaleSet(1);
    delete noEviction.virtualMachineProfile.evictionPolicy;
    await expect(compute.virtualMachineScaleSets.createOrUpdate('rg-c', 'bad1', noEviction, poll)).rejects.toMatchObject({
      statusCode: 400,
      code: 'InvalidParameter',
    });
    await expect(
      compute.virtualMachineScaleSets.createOrUpdate('rg-c', 'bad2', flexSpotScaleSet(1, { singlePlacementGroup: true }), poll),
    ).rejects.toMatchObject({ code: 'InvalidParameter' });
    await expect(
      compute.virtualMachineScaleSets.createOrUpdate('rg-c', 'bad3', flexSpotScaleSet(1, { orchestrationMode: 'Uniform' }), poll),
    ).rejects.toMatchObject({ code: 'InvalidParameter' });
    await expect(
      compute.virtualMachineScaleSets.createOrUpdate(
        'rg-c',
        'bad4',
        flexSpotScaleSet(1, { sku: { name: 'Standard_Nope', capacity: 1 } }),
        poll,
      ),
    ).rejects.toMatchObject({ code: 'InvalidParameter' });
    emu.control.setSkuAvailability('eastus', 'Standard_NC40ads_H100_v5', ['2']);
    await expect(
      compute.virtualMachineScaleSets.createOrUpdate(
        'rg-c',
        'bad5',
        flexSpotScaleSet(1, { sku: { name: 'Standard_NC40ads_H100_v5', capacity: 1 } }),
        poll,
      ),
    ).rejects.toMatchObject({ statusCode: 409, code: 'SkuNotAvailable' });
    const regular = flexSpotScaleSet(1, { priorityMixPolicy: undefined });
    regular.virtualMachineProfile.priority = 'Regular';
    delete regular.virtualMachineProfile.evictionPolicy;
    await compute.virtualMachineScaleSets.createOrUpdate('rg-c', 'reg', regular, poll);
    await expect(
      compute.virtualMachineScaleSets.createOrUpdate('rg-c', 'reg', flexSpotScaleSet(1, { priorityMixPolicy: undefined }), poll),
    ).rejects.toMatchObject({ statusCode: 409, code: 'PropertyChangeNotAllowed' });
  });

  it('enforces vCPU quota and per-zone spot capacity', async () => {
    emu.control.setQuota('eastus', 'lowPriorityCores', 8);
    const used =
      (await vmsIn('pool-a')).filter((v) => v.priority === 'Spot').length +
      (await vmsIn('pool-e')).filter((v) => v.priority === 'Spot').length;
    expect(used).toBe(3); // 12 vCPUs of NC4as_T4 in use: over the new limit already
    await expect(compute.virtualMachineScaleSets.createOrUpdate('rg-c', 'pool-q', flexSpotScaleSet(3), poll)).rejects.toMatchObject({
      statusCode: 409,
      code: 'QuotaExceeded',
      message: expect.stringContaining('Low Priority Cores quota'),
    });
    emu.control.setQuota('eastus', 'lowPriorityCores', 1000);
    emu.control.setSpotCapacity('eastus', 'Standard_NC8as_T4_v3', '1', 1);
    emu.control.setSpotCapacity('eastus', 'Standard_NC8as_T4_v3', '2', 0);
    const body = flexSpotScaleSet(4, { zones: ['1', '2'], sku: { name: 'Standard_NC8as_T4_v3', capacity: 4 } });
    await expect(compute.virtualMachineScaleSets.createOrUpdate('rg-c', 'pool-z', body, poll)).rejects.toThrow(
      /long-running operation has failed. ZonalAllocationFailed/,
    ); // core-lro folds code into the message
    expect(await vmsIn('pool-z')).toHaveLength(2); // 1 regular + the 1 spot that fit
    expect((await compute.virtualMachineScaleSets.get('rg-c', 'pool-z')).provisioningState).toBe('Failed');
  });
});
