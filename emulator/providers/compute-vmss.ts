// Microsoft.Compute/virtualMachineScaleSets: Azure's Spot and Flexible rules, quota and
// capacity checks, and capacity changes that create/delete ordinary VM resources (Flexible),
// placed across zones with Spot/Regular per the Spot Priority Mix.
import type { Core, OpContext, ResourceBehavior } from '../core/behavior.js';
import { ArmError } from '../core/errors.js';
import type { Json } from '../core/store.js';
import { allocationError, type ComputeCapacity } from './compute-capacity.js';
import { VM_TYPE } from './compute-instance-view.js';
import { scaleSetVm } from './compute-vms.js';

const VMSS_TYPE = 'Microsoft.Compute/virtualMachineScaleSets';

const invalid = (message: string, target: string): ArmError =>
  new ArmError(400, 'InvalidParameter', message, [{ code: 'InvalidParameter', message, target }]);

function scaleSetVms(core: Core, vmssId: string): Json[] {
  return core.store
    .all()
    .filter((r) => r.type === VM_TYPE && r.doc.properties?.virtualMachineScaleSet?.id?.toLowerCase() === vmssId.toLowerCase())
    .map((r) => r.doc);
}

/** Regular-priority instances among `n`, per Spot Priority Mix (all Regular unless Spot). */
function regularCount(props: Json, n: number): number {
  if (props.virtualMachineProfile?.priority !== 'Spot') return n;
  const mix = props.priorityMixPolicy;
  if (!mix) return 0;
  const base = Math.min(n, mix.baseRegularPriorityCount ?? 0);
  return base + Math.ceil(((n - base) * (mix.regularPriorityPercentageAboveBase ?? 0)) / 100);
}

function validate(capacity: ComputeCapacity, ctx: OpContext, body: Json, existing: Json | undefined): void {
  const p = body.properties ?? {};
  const mode = p.orchestrationMode ?? existing?.properties?.orchestrationMode ?? 'Uniform';
  if (existing?.properties?.orchestrationMode && p.orchestrationMode && p.orchestrationMode !== existing.properties.orchestrationMode) {
    throw new ArmError(409, 'PropertyChangeNotAllowed', "Changing property 'orchestrationMode' is not allowed.", [
      { code: 'PropertyChangeNotAllowed', target: 'orchestrationMode', message: "Changing property 'orchestrationMode' is not allowed." },
    ]);
  }
  const vmp = p.virtualMachineProfile;
  if (vmp?.priority === 'Spot' && !vmp.evictionPolicy)
    throw invalid("Required parameter 'evictionPolicy' is missing (null).", 'evictionPolicy');
  if (existing && vmp?.priority === 'Spot' && existing.properties?.virtualMachineProfile?.priority !== 'Spot') {
    throw new ArmError(409, 'PropertyChangeNotAllowed', "Changing property 'priority' is not allowed.", [
      { code: 'PropertyChangeNotAllowed', target: 'priority', message: "Changing property 'priority' is not allowed." },
    ]);
  }
  if (p.priorityMixPolicy) {
    if (mode !== 'Flexible')
      throw invalid(
        'Priority Mix Policy is only supported for Virtual Machine Scale Sets with Flexible Orchestration Mode.',
        'priorityMixPolicy',
      );
    if (p.singlePlacementGroup !== false)
      throw invalid("Priority Mix Policy requires 'singlePlacementGroup' to be set to false.", 'singlePlacementGroup');
    if (vmp?.priority !== 'Spot') throw invalid("Priority Mix Policy requires 'priority' to be set to Spot.", 'priorityMixPolicy');
  }
  if (mode === 'Flexible' && vmp && !vmp.networkProfile?.networkApiVersion) {
    throw invalid(
      "Required parameter 'networkProfile.networkApiVersion' is missing (null). It is required " +
        'for scale sets in Flexible orchestration mode with a virtual machine profile.',
      'networkApiVersion',
    );
  }
  if (!body.sku?.name) return;
  const sku = capacity.checkSku(body.sku.name, body.location, body.zones);
  const current = existing ? scaleSetVms(ctx.core, existing.id) : [];
  const target = body.sku.capacity ?? 0;
  if (target <= current.length || mode !== 'Flexible') return;
  const wantRegular = regularCount(p, target);
  const haveRegular = current.filter((v) => v.properties.priority !== 'Spot').length;
  const addRegular = Math.min(target - current.length, Math.max(0, wantRegular - haveRegular));
  capacity.checkQuota(body.location, sku, addRegular, target - current.length - addRegular);
}

/** Brings the VMs of a Flexible scale set to sku.capacity; throws an allocation error if short. */
async function reconcile(core: Core, capacity: ComputeCapacity, vmss: Json): Promise<void> {
  if (vmss.properties?.orchestrationMode !== 'Flexible' || !vmss.properties.virtualMachineProfile) return;
  const target = vmss.sku?.capacity ?? 0;
  let vms = scaleSetVms(core, vmss.id);
  // Scale in: newest first, removing the priority that is over its share.
  while (vms.length > target) {
    const wantRegular = regularCount(vmss.properties, vms.length - 1);
    const regulars = vms.filter((v) => v.properties.priority !== 'Spot');
    const pool = regulars.length > wantRegular ? regulars : vms.filter((v) => v.properties.priority === 'Spot');
    const victim = (pool.length ? pool : vms)[(pool.length ? pool : vms).length - 1];
    await core.deleteInternal(victim.id);
    vms = scaleSetVms(core, vmss.id);
  }
  const zones: string[] = vmss.zones?.length ? vmss.zones.map(String) : [''];
  let failed = false;
  while (vms.length < target) {
    const regular = vms.filter((v) => v.properties.priority !== 'Spot').length < regularCount(vmss.properties, vms.length + 1);
    const perZone = (z: string) => vms.filter((v) => (v.zones?.[0] ?? '') === z).length;
    const candidates = zones
      .filter((z) => regular || capacity.spotRoom(vmss.location, vmss.sku.name, z) > 0)
      .sort((a, b) => perZone(a) - perZone(b));
    if (!candidates.length) {
      failed = true;
      break;
    }
    const doc = scaleSetVm(core, vmss, candidates[0] || undefined, regular ? 'Regular' : 'Spot');
    core.putInternal(doc, VM_TYPE);
    await core.behaviors.run('provisioned', VM_TYPE, doc, core);
    vms = scaleSetVms(core, vmss.id);
  }
  if (failed) {
    // Azure leaves the instances it could place; the scale set reports the shortfall.
    vmss.sku.capacity = vms.length;
    throw allocationError(zones[0] !== '');
  }
}

export function vmssBehavior(capacity: ComputeCapacity): ResourceBehavior {
  return {
    type: VMSS_TYPE,
    lro: { put: 'async-op', delete: 'async-op' },
    patch: true,
    validate: (ctx, body, existing) => validate(capacity, ctx, body, existing),
    prepare(ctx, doc, existing) {
      doc.properties.uniqueId = existing?.properties?.uniqueId ?? ctx.core.rng.uuid();
      doc.properties.timeCreated = existing?.properties?.timeCreated ?? new Date().toISOString();
      if (doc.properties.orchestrationMode === 'Flexible') doc.properties.platformFaultDomainCount ??= 1;
    },
    provision: (ctx, doc) => reconcile(ctx.core, capacity, doc),
    async onDelete(ctx, doc) {
      for (const vm of scaleSetVms(ctx.core, doc.id)) await ctx.core.deleteInternal(vm.id);
    },
    actions: {
      // POST .../virtualMachineScaleSets/{name}/delete {instanceIds}: batch delete of instances.
      delete(ctx, vmss, body) {
        const ids: string[] = body.instanceIds ?? [];
        const vms = scaleSetVms(ctx.core, vmss.id);
        const targets = vms.filter((v) =>
          ids.some((i) => i.toLowerCase() === v.name.toLowerCase() || i.toLowerCase() === v.id.toLowerCase()),
        );
        if (targets.length !== ids.length)
          throw new ArmError(
            400,
            'InvalidParameter',
            `One or more instance ids in ${JSON.stringify(ids)} are not instances of scale set '${vmss.name}'.`,
          );
        return {
          lro: true,
          work: async () => {
            for (const v of targets) await ctx.core.deleteInternal(v.id);
            return undefined;
          },
        };
      },
    },
  };
}
