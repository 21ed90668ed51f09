// Microsoft.Compute/virtualMachines: the instances of a Flexible scale set are ordinary VMs in
// the group that reference the scale set (Microsoft's "orchestration modes API comparison").
// Instance view (power state, vmHealth), simulateEviction and delete go through the single-VM
// APIs. VMs are created by the scale set's provisioning (compute-vmss.ts) through putInternal.
import type { Core, ResourceBehavior } from '../core/behavior.js';
import { ArmError } from '../core/errors.js';
import type { EmulatorCore } from '../core/emulator-core.js';
import { send } from '../core/http.js';
import type { Json } from '../core/store.js';
import { armNow } from './common.js';
import type { ComputeCapacity } from './compute-capacity.js';
import type { Evictions } from './compute-evictions.js';
import { instanceView, VM_TYPE } from './compute-instance-view.js';

/** The VM document a scale set creates for one instance. */
export function scaleSetVm(core: Core, vmss: Json, zone: string | undefined, priority: 'Spot' | 'Regular'): Json {
  const suffix = core.rng.hex(4);
  const name = `${vmss.name}_${suffix}`;
  const rgScope = vmss.id.slice(0, vmss.id.toLowerCase().indexOf('/providers/'));
  const vmp = vmss.properties?.virtualMachineProfile ?? {};
  const computerName = `${vmp.osProfile?.computerNamePrefix ?? vmss.name.slice(0, 9)}${suffix}`;
  const hasHealthExt = (vmp.extensionProfile?.extensions ?? []).some((e: Json) => /ApplicationHealth/i.test(e.properties?.type ?? ''));
  return {
    id: `${rgScope}/providers/Microsoft.Compute/virtualMachines/${name}`,
    name,
    type: VM_TYPE,
    location: vmss.location,
    ...(zone ? { zones: [zone] } : {}),
    ...(vmss.tags ? { tags: structuredClone(vmss.tags) } : {}),
    properties: {
      vmId: core.rng.uuid(),
      virtualMachineScaleSet: { id: vmss.id },
      hardwareProfile: { vmSize: vmss.sku?.name },
      priority,
      ...(priority === 'Spot'
        ? { evictionPolicy: vmp.evictionPolicy ?? 'Deallocate', billingProfile: vmp.billingProfile ?? { maxPrice: -1 } }
        : {}),
      storageProfile: structuredClone(vmp.storageProfile ?? {}),
      osProfile: {
        computerName,
        adminUsername: vmp.osProfile?.adminUsername ?? 'azureuser',
        linuxConfiguration: vmp.osProfile?.linuxConfiguration,
      },
      networkProfile: { networkApiVersion: vmp.networkProfile?.networkApiVersion },
      timeCreated: armNow(),
      provisioningState: 'Succeeded',
      instanceView: instanceView(computerName, 'running', hasHealthExt ? 'unknown' : undefined),
    },
    etag: `"${core.rng.hex(4)}"`,
  };
}

export function vmBehavior(capacity: ComputeCapacity, evictions: () => Evictions): ResourceBehavior {
  return {
    type: VM_TYPE,
    lro: { put: 'async-op', delete: 'async-op' },
    patch: true,
    validate(_ctx, body) {
      const size = body.properties?.hardwareProfile?.vmSize;
      if (size) capacity.checkSku(size, body.location, body.zones);
    },
    prepare(ctx, doc, existing) {
      doc.properties.vmId = existing?.properties?.vmId ?? ctx.core.rng.uuid();
      doc.properties.instanceView =
        existing?.properties?.instanceView ?? instanceView(doc.properties.osProfile?.computerName ?? doc.name, 'running');
    },
    present(doc, query) {
      if (!/instanceView/i.test(query?.get('$expand') ?? '')) delete doc.properties?.instanceView;
      return doc;
    },
    async onDelete(ctx, doc) {
      // With Flexible orchestration a single-VM delete shrinks the scale set.
      const vmssId = doc.properties?.virtualMachineScaleSet?.id;
      const vmss = vmssId ? ctx.core.store.get(vmssId)?.doc : undefined;
      if (vmss?.sku) {
        // The VM is still stored here; a scale-in by the scale set itself already lowered capacity.
        const remaining =
          ctx.core.store
            .all()
            .filter((r) => r.type === VM_TYPE && r.doc.properties?.virtualMachineScaleSet?.id?.toLowerCase() === vmssId.toLowerCase())
            .length - 1;
        vmss.sku.capacity = Math.min(vmss.sku.capacity ?? 0, remaining);
        ctx.core.store.changed();
      }
      evictions().forget(doc.name);
    },
    actions: {
      simulateEviction(ctx, vm) {
        if (vm.properties?.priority !== 'Spot') {
          throw new ArmError(
            409,
            'OperationNotAllowed',
            `Operation 'simulateEviction' is not allowed on VM '${vm.name}' since the VM is not an Azure Spot VM.`,
          );
        }
        // Azure answers 204 and evicts within about 30 s, announcing it with a Preempt event. The
        // fast profile skips the notice for API tests, unless running processes must drain
        // (the platform runtime registers `evictionNoticeSeconds`).
        const notice = platformNoticeSeconds(ctx.core) ?? (ctx.core.latencyMs(VM_TYPE, 'del') > 0 ? 30 : 0);
        return { status: 204, work: async () => void (await evictions().evict(vm.id, { noticeSeconds: notice })) };
      },
    },
  };
}

/** GET .../virtualMachines/{vm}/instanceView (a sub-path, not a child resource). */
export function registerInstanceViewRoute(core: EmulatorCore): void {
  core.route(
    'GET',
    /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Compute\/virtualMachines\/([^/]+)\/instanceView$/i,
    async (c, _req, res, url, m) => {
      const vm = c.store.get(url.pathname.replace(/\/instanceView$/i, ''))?.doc;
      if (!vm) throw new ArmError(404, 'ResourceNotFound', `The Resource '${VM_TYPE}/${m[1]}' under resource group was not found.`);
      send(res, 200, vm.properties.instanceView);
    },
  );
}

function platformNoticeSeconds(core: Core): number | undefined {
  try {
    return core.service<number>('evictionNoticeSeconds');
  } catch {
    return undefined;
  }
}
