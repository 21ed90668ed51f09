// Resource group, network and identity: the roots of the graph.
import type { DesiredResource } from '../types.js';
import { resource, trackedOwned, type GraphContext } from './context.js';

export function resourceGroup(ctx: GraphContext): DesiredResource[] {
  return [
    resource({
      id: ctx.ids.rg,
      type: 'Microsoft.Resources/resourceGroups',
      label: 'resource group',
      body: { location: ctx.config.location, tags: ctx.tags },
      dependsOn: [],
      owned: trackedOwned(ctx),
    }),
  ];
}

/**
 * NSG admitting only VNet traffic. Azure's default rules would also admit the load balancer
 * probe; we state the policy explicitly (allow VNet, deny everything else) so the intent is in
 * the body, reviewed in the snapshot, and does not depend on defaults. Nothing is public: the
 * agents are reached only from the function app's integrated subnet.
 */
export function network(ctx: GraphContext): DesiredResource[] {
  const { network: net } = ctx.config;
  const nsg = resource({
    id: ctx.ids.nsg,
    type: 'Microsoft.Network/networkSecurityGroups',
    label: 'nsg',
    body: {
      location: ctx.config.location,
      tags: ctx.tags,
      properties: {
        securityRules: [
          {
            name: 'allow-vnet-inbound',
            properties: {
              priority: 100,
              direction: 'Inbound',
              access: 'Allow',
              protocol: '*',
              sourceAddressPrefix: 'VirtualNetwork',
              sourcePortRange: '*',
              destinationAddressPrefix: 'VirtualNetwork',
              destinationPortRange: '*',
            },
          },
          {
            name: 'deny-all-other-inbound',
            properties: {
              priority: 4096,
              direction: 'Inbound',
              access: 'Deny',
              protocol: '*',
              sourceAddressPrefix: '*',
              sourcePortRange: '*',
              destinationAddressPrefix: '*',
              destinationPortRange: '*',
            },
          },
        ],
      },
    },
    dependsOn: [ctx.ids.rg],
    owned: trackedOwned(ctx, 'properties.securityRules'),
  });
  const vnet = resource({
    id: ctx.ids.vnet,
    type: 'Microsoft.Network/virtualNetworks',
    label: 'vnet',
    body: {
      location: ctx.config.location,
      tags: ctx.tags,
      properties: {
        addressSpace: { addressPrefixes: [net.addressSpace] },
        // Subnets inline: a separate subnets resource and an inline list fight each other on
        // every PUT of the VNet, so the VNet body is the one owner of its subnets.
        subnets: [
          {
            name: 'snet-vmss',
            properties: {
              addressPrefix: net.vmssSubnet,
              networkSecurityGroup: { id: ctx.ids.nsg },
              // The bootstrap downloads Node, the engine and the weights from the internet, and
              // Flexible scale set VMs get no default outbound access: outbound goes via NAT.
              natGateway: { id: ctx.ids.natGateway },
            },
          },
          {
            name: 'snet-functions',
            properties: {
              addressPrefix: net.functionsSubnet,
              networkSecurityGroup: { id: ctx.ids.nsg },
              // Flex Consumption integrates through a subnet delegated to Microsoft.App/environments.
              delegations: [{ name: 'flex', properties: { serviceName: 'Microsoft.App/environments' } }],
            },
          },
        ],
      },
    },
    dependsOn: [ctx.ids.rg, ctx.ids.nsg, ctx.ids.natGateway],
    owned: trackedOwned(ctx, 'properties.addressSpace', 'properties.subnets'),
  });
  return [nsg, ...outbound(ctx), vnet];
}

/**
 * Explicit outbound for the GPU subnet: a NAT gateway with one Standard static public IP
 * (Microsoft's recommended way; Basic public IPs are retired). Inbound stays closed: a NAT
 * gateway only carries connections the VMs open.
 */
function outbound(ctx: GraphContext): DesiredResource[] {
  const pip = resource({
    id: ctx.ids.natPublicIp,
    type: 'Microsoft.Network/publicIPAddresses',
    label: 'public ip (nat)',
    body: {
      location: ctx.config.location,
      tags: ctx.tags,
      sku: { name: 'Standard', tier: 'Regional' },
      properties: { publicIPAllocationMethod: 'Static', publicIPAddressVersion: 'IPv4', idleTimeoutInMinutes: 4 },
    },
    dependsOn: [ctx.ids.rg],
    owned: trackedOwned(ctx, 'sku.name', 'properties.publicIPAllocationMethod'),
    createOnly: ['sku.name'],
  });
  const nat = resource({
    id: ctx.ids.natGateway,
    type: 'Microsoft.Network/natGateways',
    label: 'nat gateway',
    body: {
      location: ctx.config.location,
      tags: ctx.tags,
      sku: { name: 'Standard' },
      properties: { idleTimeoutInMinutes: 4, publicIpAddresses: [{ id: ctx.ids.natPublicIp }] },
    },
    dependsOn: [ctx.ids.rg, ctx.ids.natPublicIp],
    owned: trackedOwned(ctx, 'sku.name', 'properties.publicIpAddresses'),
  });
  return [pip, nat];
}

/**
 * One identity per component (gateway, API Management, GPU VMs): a shell on a spot VM then holds
 * only what the agent needs, never the gateway's cache, usage and jobs rights (roles.ts).
 */
export function identities(ctx: GraphContext): DesiredResource[] {
  return Object.entries(ctx.ids.identities).map(([component, id]) =>
    resource({
      id,
      type: 'Microsoft.ManagedIdentity/userAssignedIdentities',
      label: `identity/${component}`,
      body: { location: ctx.config.location, tags: ctx.tags },
      dependsOn: [ctx.ids.rg],
      owned: trackedOwned(ctx),
    }),
  );
}
