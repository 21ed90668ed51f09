// The GPU SKUs `cost --recommend` searches, with what each carries. Figures from Microsoft's size
// pages (cited per row); a SKU not listed here is never recommended, because nothing says what it holds.

import { GPU_MODELS } from '../../contracts/gpu-dtype.js';

export interface GpuSku {
  armSkuName: string;
  gpuCount: number;
  gpuModel: string;
  gpuMemoryGb: number;
  /** The `gpu` profile name gpuarb uses in config and in the throughput table. */
  profile: string;
  source: string;
}

const NCAST4 = 'https://learn.microsoft.com/azure/virtual-machines/sizes/gpu-accelerated/ncast4v3-series';
const NCA100 = 'https://learn.microsoft.com/azure/virtual-machines/sizes/gpu-accelerated/nca100v4-series';
const NCH100 = 'https://learn.microsoft.com/azure/virtual-machines/sizes/gpu-accelerated/ncadsh100v5-series';

export const GPU_SKUS: GpuSku[] = [
  { armSkuName: 'Standard_NC4as_T4_v3', gpuCount: 1, gpuModel: 'T4', gpuMemoryGb: 16, profile: 'T4', source: NCAST4 },
  { armSkuName: 'Standard_NC24ads_A100_v4', gpuCount: 1, gpuModel: 'A100 PCIe', gpuMemoryGb: 80, profile: 'A100-80GB', source: NCA100 },
  { armSkuName: 'Standard_NC48ads_A100_v4', gpuCount: 2, gpuModel: 'A100 PCIe', gpuMemoryGb: 80, profile: '2xA100-80GB', source: NCA100 },
  { armSkuName: 'Standard_NC96ads_A100_v4', gpuCount: 4, gpuModel: 'A100 PCIe', gpuMemoryGb: 80, profile: '4xA100-80GB', source: NCA100 },
  { armSkuName: 'Standard_NC40ads_H100_v5', gpuCount: 1, gpuModel: 'H100 NVL', gpuMemoryGb: 94, profile: 'H100-94GB', source: NCH100 },
];

export function gpuSku(armSkuName: string): GpuSku | undefined {
  return GPU_SKUS.find((s) => s.armSkuName.toLowerCase() === armSkuName.toLowerCase());
}

/** The SKU's GPU compute capability (NVIDIA's table, contracts/gpu-dtype.ts), or undefined if not catalogued. */
export function skuComputeCapability(armSkuName: string): number | undefined {
  const sku = gpuSku(armSkuName);
  return sku ? GPU_MODELS[sku.gpuModel]?.computeCapability : undefined;
}
