// Explicit outbound connectivity: Microsoft.Network/publicIPAddresses and natGateways, and the
// subnet's reference to its NAT gateway. VMs of a Flexible scale set get no default outbound
// access (docs/emulator.md ### 1.), so the GPU subnet needs a NAT gateway with a Standard public
// IP; the platform runtime (emulator/runtime/guest.ts) lets a VM's bootstrap reach the internet
// only through one.
import type { Core } from '../core/behavior.js';
import type { EmulatorCore } from '../core/emulator-core.js';
import { ArmError } from '../core/errors.js';
import type { Json } from '../core/store.js';

export const PUBLIC_IP_TYPE = 'Microsoft.Network/publicIPAddresses';
export const NAT_GATEWAY_TYPE = 'Microsoft.Network/natGateways';

/** Azure's answer to a reference to a resource that does not exist. */
function missingReference(referenced: string, by: string): ArmError {
  return new ArmError(
    400,
    'InvalidResourceReference',
    `Resource ${referenced} referenced by resource ${by} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`,
  );
}

function requireExisting(core: Core, type: string, id: string | undefined, by: string): Json | undefined {
  if (!id) return undefined;
  const found = core.store.get(id);
  if (!found || found.type.toLowerCase() !== type.toLowerCase()) throw missingReference(id, by);
  return found.doc;
}

/** Subnets of a VNet body (or a subnet body) that name a NAT gateway must name one that exists. */
export function validateSubnetNatGateways(core: Core, vnetOrSubnetId: string, subnets: Json[]): void {
  for (const s of subnets) {
    const by = s.name && !/\/subnets\//i.test(vnetOrSubnetId) ? `${vnetOrSubnetId}/subnets/${s.name}` : vnetOrSubnetId;
    requireExisting(core, NAT_GATEWAY_TYPE, s.properties?.natGateway?.id, by);
  }
}

/** The fake address a public IP gets: stable for its id, from a documentation-only range. */
function addressFor(core: Core): string {
  return `203.0.113.${1 + (Number.parseInt(core.rng.hex(1), 16) % 254)}`;
}

export function registerNetworkOutbound(core: EmulatorCore): void {
  const net = { lro: { put: 'async-op', delete: 'async-op' }, patch: true } as const;
  core.behaviors.register({
    type: PUBLIC_IP_TYPE,
    ...net,
    validate(_ctx, body) {
      // Basic SKU public IPs are retired (30 September 2025): subscriptions get a limit of 0.
      if (String(body.sku?.name ?? '').toLowerCase() === 'basic')
        throw new ArmError(
          400,
          'IPv4BasicSkuPublicIpCountLimitReached',
          `Cannot create more than 0 IPv4 Basic SKU public IP addresses for this subscription in this region.`,
        );
    },
    prepare(ctx, doc, existing) {
      doc.properties.resourceGuid = existing?.properties?.resourceGuid ?? ctx.core.rng.uuid();
      doc.properties.ipAddress = existing?.properties?.ipAddress ?? addressFor(ctx.core);
      doc.properties.publicIPAddressVersion ??= 'IPv4';
    },
  });
  core.behaviors.register({
    type: NAT_GATEWAY_TYPE,
    ...net,
    validate(ctx, body) {
      for (const ip of body.properties?.publicIpAddresses ?? []) requireExisting(ctx.core, PUBLIC_IP_TYPE, ip?.id, ctx.id);
    },
    prepare(ctx, doc, existing) {
      doc.properties.resourceGuid = existing?.properties?.resourceGuid ?? ctx.core.rng.uuid();
      doc.properties.idleTimeoutInMinutes ??= 4;
      // The public IPs show which NAT gateway they serve, as Azure's GET does.
      for (const ip of doc.properties.publicIpAddresses ?? []) {
        const pip = ctx.core.store.get(ip.id)?.doc;
        if (pip) pip.properties.natGateway = { id: doc.id };
      }
    },
  });
}
