// Compute vCPU quota as Azure enforces it (https://learn.microsoft.com/azure/quotas/per-vm-quota-requests,
// https://learn.microsoft.com/azure/quotas/spot-quota): Regular VMs count against their VM
// family's quota and the regional total (`cores`); Spot VMs only against the regional
// low-priority quota (`lowPriorityCores`, "Total Regional Spot vCPUs"). The usages API
// (`GET /subscriptions/{s}/providers/Microsoft.Compute/locations/{location}/usages`) reports each
// by `name.value`. Pure, apart from the one read in readComputeUsages.
import type { ArmClient } from './arm-client.js';

export const SPOT_QUOTA = 'lowPriorityCores';
export const REGIONAL_QUOTA = 'cores';
const USAGES_API_VERSION = '2024-07-01';

/** VM size → the quota family (usages `name.value`) Azure bills it to, by size series. */
const FAMILIES: Array<[RegExp, string]> = [
  [/^Standard_NC\d+as_T4_v3$/i, 'standardNCASv3_T4Family'],
  [/^Standard_NC\d+ads_A100_v4$/i, 'StandardNCADSA100v4Family'],
  [/^Standard_NC\d+ads_H100_v5$/i, 'standardNCadsH100v5Family'],
  [/^Standard_D\d+s_v5$/i, 'standardDSv5Family'],
  [/^Standard_B\d+s$/i, 'standardBSFamily'],
];

/** vCPUs of a VM size, from its name: Standard_NC24ads_A100_v4 → 24 (Azure's naming rule). */
export function vcpusOf(sku: string): number | undefined {
  const m = /^Standard_[A-Z]+?(\d+)/i.exec(sku);
  return m ? Number(m[1]) : undefined;
}

/**
 * How many of `n` instances are Regular under Spot Priority Mix: the base first, then the
 * percentage of the rest, rounded up (conservative for quota: Azure may round either way).
 */
export function regularCount(n: number, base: number, percent: number): number {
  if (n <= base) return n;
  return base + Math.ceil(((n - base) * percent) / 100);
}

export function quotaFamilyOf(vmSize: string): string | undefined {
  return FAMILIES.find(([re]) => re.test(vmSize))?.[1];
}

export interface QuotaLine {
  /** The usages `name.value`, e.g. StandardNCADSA100v4Family or lowPriorityCores. */
  name: string;
  limit: number;
  used: number;
}

export interface UsageEntry {
  name?: { value?: string };
  limit?: number | string;
  currentValue?: number | string;
}

/** The quota lines that decide whether `vmSize` VMs fit: its family, the regional total, Spot. */
export function quotaLinesFor(
  usages: Iterable<UsageEntry>,
  vmSize: string,
): { family: QuotaLine | null; regional: QuotaLine | null; spot: QuotaLine | null } {
  const family = quotaFamilyOf(vmSize)?.toLowerCase();
  const out: { family: QuotaLine | null; regional: QuotaLine | null; spot: QuotaLine | null } = {
    family: null,
    regional: null,
    spot: null,
  };
  for (const u of usages) {
    const name = u.name?.value;
    if (!name) continue;
    const line = { name, limit: Number(u.limit), used: Number(u.currentValue) };
    if (family && name.toLowerCase() === family) out.family = line;
    else if (name === REGIONAL_QUOTA) out.regional = line;
    else if (name === SPOT_QUOTA) out.spot = line;
  }
  return out;
}

export async function readComputeUsages(
  arm: ArmClient,
  subscriptionId: string,
  location: string,
  signal?: AbortSignal,
): Promise<UsageEntry[]> {
  const body = (await arm.get(
    `/subscriptions/${subscriptionId}/providers/Microsoft.Compute/locations/${location}/usages`,
    USAGES_API_VERSION,
    signal,
  )) as { value?: UsageEntry[] } | undefined;
  return body?.value ?? [];
}

/** Where an operator asks for more of a quota line. */
export function quotaRequestHint(line: string, location: string): string {
  return line === SPOT_QUOTA
    ? `Request more "Total Regional Spot vCPUs" (lowPriorityCores) in ${location}: portal → Quotas → Compute, or https://learn.microsoft.com/azure/quotas/spot-quota.`
    : `Request more ${line} vCPUs in ${location}: portal → Quotas → Compute, or https://learn.microsoft.com/azure/quotas/per-vm-quota-requests.`;
}
