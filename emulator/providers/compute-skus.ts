// The VM sizes the local cloud knows: vCPUs, the quota family Azure bills them to, and where
// they are offered. Families and vCPU counts are from Microsoft's size pages (NCasT4_v3,
// NC A100 v4, NCads H100 v5, Dsv5, Bs); availability is a simplification (every listed region,
// zones 1-3) that tests override with control.setSkuAvailability.

export interface VmSku {
  name: string;
  vCPUs: number;
  /** Quota family name as the usages API reports it. */
  family: string;
  gpus: number;
}

export const VM_SKUS: VmSku[] = [
  { name: 'Standard_NC4as_T4_v3', vCPUs: 4, family: 'standardNCASv3_T4Family', gpus: 1 },
  { name: 'Standard_NC8as_T4_v3', vCPUs: 8, family: 'standardNCASv3_T4Family', gpus: 1 },
  { name: 'Standard_NC24ads_A100_v4', vCPUs: 24, family: 'StandardNCADSA100v4Family', gpus: 1 },
  { name: 'Standard_NC48ads_A100_v4', vCPUs: 48, family: 'StandardNCADSA100v4Family', gpus: 2 },
  { name: 'Standard_NC96ads_A100_v4', vCPUs: 96, family: 'StandardNCADSA100v4Family', gpus: 4 },
  { name: 'Standard_NC40ads_H100_v5', vCPUs: 40, family: 'standardNCadsH100v5Family', gpus: 1 },
  { name: 'Standard_D2s_v5', vCPUs: 2, family: 'standardDSv5Family', gpus: 0 },
  { name: 'Standard_D4s_v5', vCPUs: 4, family: 'standardDSv5Family', gpus: 0 },
  { name: 'Standard_B2s', vCPUs: 2, family: 'standardBSFamily', gpus: 0 },
];

export const SPOT_QUOTA_FAMILY = 'lowPriorityCores';
export const DEFAULT_QUOTA = 1000;
export const OFFERED_LOCATIONS = [
  'eastus',
  'eastus2',
  'westus2',
  'westus3',
  'southcentralus',
  'northeurope',
  'westeurope',
  'swedencentral',
  'uksouth',
];

export function findSku(name: string | undefined): VmSku | undefined {
  return VM_SKUS.find((s) => s.name.toLowerCase() === String(name).toLowerCase());
}
