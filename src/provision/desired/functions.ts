// Functions Flex Consumption (FC1) plan and the VNet-integrated gateway function app, its app
// settings and, when the package is built, its one-deploy step. Flex deploys only from a blob
// container (functionAppConfig.deployment.storage); WEBSITE_RUN_FROM_PACKAGE does not work there.
import type { DesiredResource } from '../types.js';
import { ref, resource, trackedOwned, type GraphContext } from './context.js';
import { DEPLOYMENT_CONTAINER, COSMOS_DATABASE, JOB_QUEUE } from './data.js';
import { SECRET_NAMES, secretUri } from './keyvault.js';
import { operatorGrants, operatorRoleAssignmentId } from './roles.js';
import { gatewayConfigForStack } from '../../config/gateway-config.js';

export const gatewayPackageBlob = (hash: string) => `gateway-${hash}.zip`;

/**
 * Who may reach the function app at all. API Management Consumption has no dedicated outbound IP
 * (https://learn.microsoft.com/azure/api-management/api-management-howto-ip-addresses): its calls
 * come from Azure's regional ranges, so the narrowest network rule that admits it is the
 * `AzureCloud` service tag of the stack's region, with everything else denied
 * (https://learn.microsoft.com/azure/app-service/app-service-ip-restrictions). The rule takes the
 * Internet at large off the gateway; the backend key (rotated, checked before any work) is what
 * tells API Management from other Azure tenants.
 */
export function gatewayAccessRestrictions(location: string) {
  return {
    ipSecurityRestrictionsDefaultAction: 'Deny',
    ipSecurityRestrictions: [
      {
        name: 'api-management',
        description: 'API Management Consumption (no dedicated IP): Azure datacenter ranges of the region only',
        tag: 'ServiceTag',
        ipAddress: `AzureCloud.${location}`,
        action: 'Allow',
        priority: 100,
      },
    ],
  };
}

export function functionApp(ctx: GraphContext): DesiredResource[] {
  const { ids, config, names } = ctx;
  const blobEndpoint = (suffix: string) => ref(ids.storage, 'properties.primaryEndpoints.blob', { suffix });
  const plan = resource({
    id: ids.plan,
    type: 'Microsoft.Web/serverfarms',
    label: 'functions plan',
    body: {
      location: config.location,
      tags: ctx.tags,
      kind: 'functionapp',
      sku: { name: 'FC1', tier: 'FlexConsumption' },
      properties: { reserved: true },
    },
    dependsOn: [ids.rg],
    owned: trackedOwned(ctx, 'sku.name', 'properties.reserved'),
  });
  const site = resource({
    id: ids.functionApp,
    type: 'Microsoft.Web/sites',
    label: 'function app',
    body: {
      location: config.location,
      tags: ctx.tags,
      kind: 'functionapp,linux',
      identity: { type: 'UserAssigned', userAssignedIdentities: { [ids.identities.gateway]: {} } },
      properties: {
        serverFarmId: ids.plan,
        httpsOnly: true,
        virtualNetworkSubnetId: ids.functionsSubnet,
        keyVaultReferenceIdentity: ids.identities.gateway,
        siteConfig: { minTlsVersion: '1.2', http20Enabled: true, ...gatewayAccessRestrictions(config.location) },
        functionAppConfig: {
          deployment: {
            storage: {
              type: 'blobContainer',
              value: blobEndpoint(DEPLOYMENT_CONTAINER),
              authentication: { type: 'UserAssignedIdentity', userAssignedIdentityResourceId: ids.identities.gateway },
            },
          },
          runtime: { name: 'node', version: '20' },
          scaleAndConcurrency: { maximumInstanceCount: 100, instanceMemoryMB: 2048 },
        },
      },
    },
    dependsOn: [
      ids.plan,
      ids.vnet,
      ids.identities.gateway,
      ids.storage,
      `${ids.storage}/blobServices/default/containers/${DEPLOYMENT_CONTAINER}`,
    ],
    owned: trackedOwned(
      ctx,
      'kind',
      'identity.type',
      'identity.userAssignedIdentities',
      'properties.serverFarmId',
      'properties.httpsOnly',
      'properties.virtualNetworkSubnetId',
      'properties.keyVaultReferenceIdentity',
      'properties.siteConfig.ipSecurityRestrictions',
      'properties.siteConfig.ipSecurityRestrictionsDefaultAction',
      'properties.functionAppConfig',
    ),
  });
  const kvRef = (name: string) => secretUri(ctx, name, { prefix: '@Microsoft.KeyVault(SecretUri=', suffix: ')' });
  const clientId = ref(ids.identities.gateway, 'properties.clientId');
  // Azure's public endpoints are deterministic from the names; the Cosmos endpoint is also set
  // from ARM (GPUARB_GATEWAY_COSMOS_ENDPOINT overrides the config field).
  const gatewayConfig = gatewayConfigForStack(config, {
    cosmosEndpoint: `https://${names.cosmos}.documents.azure.com:443/`,
    cosmosDatabase: COSMOS_DATABASE,
    vaultUrl: `https://${names.keyVault}.vault.azure.net/`,
    queueEndpoint: `https://${names.storage}.queue.core.windows.net/`,
    jobsQueue: JOB_QUEUE,
  });
  const settings = resource({
    id: `${ids.functionApp}/config/appsettings`,
    type: 'Microsoft.Web/sites/config',
    label: 'function app settings',
    body: {
      properties: {
        AzureWebJobsStorage__accountName: names.storage,
        AzureWebJobsStorage__credential: 'managedidentity',
        AzureWebJobsStorage__clientId: clientId,
        AZURE_CLIENT_ID: clientId,
        APPLICATIONINSIGHTS_CONNECTION_STRING: ref(ids.appInsights, 'properties.ConnectionString'),
        APPLICATIONINSIGHTS_AUTHENTICATION_STRING: ref(ids.identities.gateway, 'properties.clientId', {
          prefix: 'Authorization=AAD;ClientId=',
        }),
        GPUARB_GATEWAY_COSMOS_ENDPOINT: ref(ids.cosmos, 'properties.documentEndpoint'),
        GPUARB_GATEWAY_COSMOS_DATABASE: COSMOS_DATABASE,
        GPUARB_GATEWAY_STORAGE_QUEUE_ENDPOINT: ref(ids.storage, 'properties.primaryEndpoints.queue'),
        GPUARB_GATEWAY_JOBS_QUEUE: JOB_QUEUE,
        // The queue trigger's identity-based connection (Functions' `<name>__…` settings).
        GPUARB_GATEWAY_STORAGE__queueServiceUri: ref(ids.storage, 'properties.primaryEndpoints.queue'),
        GPUARB_GATEWAY_STORAGE__credential: 'managedidentity',
        GPUARB_GATEWAY_STORAGE__clientId: clientId,
        // Key Vault references: the platform resolves them with keyVaultReferenceIdentity, so no
        // secret value is ever in the app's ARM state.
        GPUARB_BACKEND_KEY: kvRef(SECRET_NAMES.inferenceApiKey),
        GPUARB_INTERNAL_KEY: kvRef(SECRET_NAMES.internalServiceKey),
        GPUARB_GATEWAY_CONFIG: JSON.stringify(gatewayConfig),
      },
    },
    dependsOn: [
      ids.functionApp,
      ids.appInsights,
      ids.cosmos,
      ids.keyVault,
      `${ids.keyVault}/secrets/${SECRET_NAMES.inferenceApiKey}`,
      `${ids.keyVault}/secrets/${SECRET_NAMES.internalServiceKey}`,
    ],
    owned: ['properties'],
  });
  const out = [plan, site, settings];
  if (ctx.artifacts) {
    const blobName = gatewayPackageBlob(ctx.artifacts.functionPackageHash);
    out.push(
      resource({
        id: `${ids.functionApp}/extensions/onedeploy`,
        type: 'Microsoft.Web/sites/extensions',
        label: 'deploy gateway',
        body: {},
        // The upload runs with the operator's token: after its Blob Data role exists.
        dependsOn: [
          settings.id,
          ...operatorGrants(ctx)
            .filter((g) => g.role === 'storageBlobDataContributor')
            .map((g) => operatorRoleAssignmentId(ctx, g)),
        ],
        owned: [],
        deploy: {
          kind: 'onedeploy',
          targetId: ids.functionApp,
          hash: ctx.artifacts.functionPackageHash,
          blobName,
          packageUri: blobEndpoint(`${DEPLOYMENT_CONTAINER}/${blobName}`),
        },
      }),
    );
  }
  return out;
}
