// Quota (per region, per VM family, plus the regional Spot "lowPriorityCores" pool) and the
// per-zone Spot capacity model, with the errors Azure's compute RP returns.
import { ArmError } from '../core/errors.js';
import type { Core } from '../core/behavior.js';
import { DEFAULT_QUOTA, findSku, OFFERED_LOCATIONS, SPOT_QUOTA_FAMILY, type VmSku } from './compute-skus.js';

const norm = (s: string): string => s.replace(/\s/g, '').toLowerCase();

export class ComputeCapacity {
  private readonly quota = new Map<string, number>();
  private readonly spot = new Map<string, number>();
  /** location|sku → zones offered (null entry = not offered in the location). */
  private readonly availability = new Map<string, string[] | null>();

  constructor(private readonly core: Core) {}

  setQuota(location: string, family: string, limit: number): void {
    this.quota.set(`${norm(location)}|${family.toLowerCase()}`, limit);
  }
  setSpotCapacity(location: string, sku: string, zone: string | null, instances: number): void {
    this.spot.set(`${norm(location)}|${sku.toLowerCase()}|${zone ?? ''}`, instances);
  }
  setSkuAvailability(location: string, sku: string, zones: string[] | null): void {
    this.availability.set(`${norm(location)}|${sku.toLowerCase()}`, zones);
  }

  limit(location: string, family: string): number {
    return this.quota.get(`${norm(location)}|${family.toLowerCase()}`) ?? DEFAULT_QUOTA;
  }

  /** vCPUs in use in a location: by family for Regular VMs, lowPriorityCores for Spot. */
  usage(location: string, family: string): number {
    let used = 0;
    for (const r of this.core.store.all()) {
      if (r.type.toLowerCase() !== 'microsoft.compute/virtualmachines' || norm(r.doc.location) !== norm(location)) continue;
      const sku = findSku(r.doc.properties?.hardwareProfile?.vmSize);
      if (!sku) continue;
      const spot = r.doc.properties?.priority === 'Spot';
      if (family === SPOT_QUOTA_FAMILY ? spot : !spot && sku.family.toLowerCase() === family.toLowerCase()) used += sku.vCPUs;
    }
    return used;
  }

  /** Throws Azure's quota error if adding these instances would exceed a limit. */
  checkQuota(location: string, sku: VmSku, addRegular: number, addSpot: number): void {
    for (const [family, add, code] of [
      [sku.family, addRegular, 'OperationNotAllowed'],
      [SPOT_QUOTA_FAMILY, addSpot, 'QuotaExceeded'],
    ] as const) {
      if (add <= 0) continue;
      const limit = this.limit(location, family);
      const used = this.usage(location, family);
      const need = add * sku.vCPUs;
      if (used + need > limit) {
        const label = family === SPOT_QUOTA_FAMILY ? 'Low Priority Cores' : `${family} Cores`;
        throw new ArmError(
          409,
          code,
          `Operation could not be completed as it results in exceeding approved ${label} quota. ` +
            `Additional details - Deployment Model: Resource Manager, Location: ${norm(location)}, ` +
            `Current Limit: ${limit}, Current Usage: ${used}, Additional Required: ${need}, (Minimum) ` +
            `New Limit Required: ${used + need}. Submit a request for Quota increase at ` +
            'https://aka.ms/ProdportalCRP/#blade/Microsoft_Azure_Capacity/UsageAndQuota.ReactView/Parameters/' +
            `%7B%22subscriptionId%22:%22${this.core.subscriptionId}%22,%22command%22:%22openQuotaApprovalBlade%22%7D ` +
            `by specifying parameters listed in the ‘Details’ section for deployment to succeed. ` +
            `Please read more about quota limits at https://docs.microsoft.com/en-us/azure/azure-supportability/per-vm-quota-requests`,
        );
      }
    }
  }

  /** SKU known (400 InvalidParameter) and offered in location and zones (409 SkuNotAvailable). */
  checkSku(vmSize: string | undefined, location: string, zones: string[] | undefined): VmSku {
    const sku = findSku(vmSize);
    if (!sku) {
      throw new ArmError(
        400,
        'InvalidParameter',
        `The value ${vmSize} provided for the VM size is not valid. The valid sizes in the ` +
          `current region are: ${OFFERED_LOCATIONS.length ? 'see https://aka.ms/azure-vm-sizes' : ''}.`,
        [{ code: 'InvalidParameter', message: 'vmSize', target: 'vmSize' }],
      );
    }
    const key = `${norm(location)}|${sku.name.toLowerCase()}`;
    // null is a configured "not offered", so only undefined falls through to the defaults.
    const configured = this.availability.get(key);
    const offered = configured !== undefined ? configured : OFFERED_LOCATIONS.includes(norm(location)) ? ['1', '2', '3'] : null;
    const missingZone = zones?.find((z) => !offered?.includes(String(z)));
    if (!offered || missingZone) {
      const where = offered ? `zone '${missingZone}' of location '${norm(location)}'` : `location '${norm(location)}'`;
      throw new ArmError(
        409,
        'SkuNotAvailable',
        `The requested VM size for resource 'Following SKUs have failed for Capacity Restrictions: ` +
          `${sku.name}' is currently not available in ${where}. Please try another size or ` +
          `deploy to a different location or different zone. See https://aka.ms/azureskunotavailable ` +
          `for details.`,
      );
    }
    return sku;
  }

  /** Spot instances of `sku` still placeable in a zone ('' = regional). */
  spotRoom(location: string, sku: string, zone: string): number {
    const cap = this.spot.get(`${norm(location)}|${sku.toLowerCase()}|${zone}`);
    if (cap === undefined) return Number.POSITIVE_INFINITY;
    const used = this.core.store
      .all()
      .filter(
        (r) =>
          r.type.toLowerCase() === 'microsoft.compute/virtualmachines' &&
          r.doc.properties?.priority === 'Spot' &&
          norm(r.doc.location) === norm(location) &&
          String(r.doc.properties?.hardwareProfile?.vmSize).toLowerCase() === sku.toLowerCase() &&
          (r.doc.zones?.[0] ?? '') === zone,
      ).length;
    return Math.max(0, cap - used);
  }
}

export function allocationError(zonal: boolean): ArmError {
  return zonal
    ? new ArmError(
        409,
        'ZonalAllocationFailed',
        'Allocation failed. We do not have sufficient capacity for the requested VM size ' +
          'in this zone. Read more about improving likelihood of allocation success at http://aka.ms/allocation-guidance',
      )
    : new ArmError(
        409,
        'AllocationFailed',
        'Allocation failed. We do not have sufficient capacity for the requested VM size ' +
          'in this region. Read more about improving likelihood of allocation success at http://aka.ms/allocation-guidance',
      );
}
