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
    dependsOn: [ctx.ids.rg, ctx.ids.nsg],
    owned: trackedOwned(ctx, 'properties.addressSpace', 'properties.subnets'),
  });
  return [nsg, vnet];
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
