// API Management Consumption: the service, the gateway's API imported from
// src/templates/openapi.json, the gateway backend, the Key Vault–backed backend-key named value,
// the API policy, and one product per tier with its rate-limit/quota policy.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { packagePath } from '../../../lib/package-root.js';
import { apiPolicyXml, BACKEND_ID, BACKEND_KEY_NAMED_VALUE, globalPolicyXml, productPolicyXml } from '../../templates/apim-policy.js';
import type { DesiredResource } from '../types.js';
import { ref, resource, trackedOwned, type GraphContext } from './context.js';
import { SECRET_NAMES, secretUri } from './keyvault.js';
import { roleAssignmentId } from './roles.js';

const API_NAME = 'gpuarb';
const API_PATH = 'v1';

// Read once at module load: a template shipped with the code, not run-time input.
const OPENAPI_TEXT = readFileSync(packagePath('src', 'templates', 'openapi.json'), 'utf8');
const OPENAPI_HASH = createHash('sha256').update(OPENAPI_TEXT).digest('hex').slice(0, 16);

export function apiManagement(ctx: GraphContext): DesiredResource[] {
  const { ids, config } = ctx;
  const svc = ids.apim;
  const service = resource({
    id: svc,
    type: 'Microsoft.ApiManagement/service',
    label: 'api management',
    body: {
      location: config.location,
      tags: ctx.tags,
      sku: { name: 'Consumption', capacity: 0 },
      identity: { type: 'UserAssigned', userAssignedIdentities: { [ids.identities.apim]: {} } },
      properties: { publisherEmail: config.alerts.email ?? `operator@${config.stack}.invalid`, publisherName: `gpuarb ${config.stack}` },
    },
    dependsOn: [ids.rg, ids.identities.apim],
    owned: trackedOwned(ctx, 'sku.name', 'identity.userAssignedIdentities', 'properties.publisherEmail', 'properties.publisherName'),
  });
  const api = resource({
    id: `${svc}/apis/${API_NAME}`,
    type: 'Microsoft.ApiManagement/service/apis',
    label: 'apim/api',
    body: {
      properties: {
        format: 'openapi+json',
        value: OPENAPI_TEXT,
        path: API_PATH,
        displayName: 'gpuarb inference API',
        protocols: ['https'],
        subscriptionRequired: true,
        // Stock OpenAI clients send `Authorization: Bearer <key>`: that header carries the
        // subscription key (stored as "Bearer <key>", see src/ops/keys.ts and docs/security.md).
        subscriptionKeyParameterNames: { header: 'Authorization', query: 'subscription-key' },
        // ARM never returns the imported document; its hash here makes a spec change a diff.
        apiRevisionDescription: `openapi sha256:${OPENAPI_HASH}`,
      },
    },
    dependsOn: [svc],
    owned: [
      'properties.path',
      'properties.displayName',
      'properties.subscriptionRequired',
      'properties.subscriptionKeyParameterNames',
      'properties.apiRevisionDescription',
    ],
  });
  const backend = resource({
    id: `${svc}/backends/${BACKEND_ID}`,
    type: 'Microsoft.ApiManagement/service/backends',
    label: 'apim/backend',
    body: {
      properties: {
        description: 'gpuarb gateway (function app)',
        // The gateway's host.json sets routePrefix "": it serves /v1/... as the standalone server does.
        url: ref(ids.functionApp, 'properties.defaultHostName', { prefix: 'https://', suffix: '/v1' }),
        protocol: 'http',
      },
    },
    dependsOn: [svc, ids.functionApp],
    owned: ['properties.url', 'properties.protocol'],
  });
  const namedValue = resource({
    id: `${svc}/namedValues/${BACKEND_KEY_NAMED_VALUE}`,
    type: 'Microsoft.ApiManagement/service/namedValues',
    label: 'apim/backend-key',
    body: {
      properties: {
        displayName: BACKEND_KEY_NAMED_VALUE,
        secret: true,
        // A Key Vault reference: API Management fetches (and refreshes after rotation) the
        // value with the identity; the value itself never passes through gpuarb.
        keyVault: {
          secretIdentifier: secretUri(ctx, SECRET_NAMES.inferenceApiKey),
          identityClientId: ref(ids.identities.apim, 'properties.clientId'),
        },
      },
    },
    dependsOn: [
      svc,
      ids.keyVault,
      `${ids.keyVault}/secrets/${SECRET_NAMES.inferenceApiKey}`,
      roleAssignmentId(ctx, 'apim', `${ids.keyVault}/secrets/${SECRET_NAMES.inferenceApiKey}`, 'keyVaultSecretsUser'),
    ],
    owned: ['properties.displayName', 'properties.secret', 'properties.keyVault.secretIdentifier'],
  });
  const apiPolicy = resource({
    id: `${api.id}/policies/policy`,
    type: 'Microsoft.ApiManagement/service/apis/policies',
    label: 'apim/api-policy',
    body: { properties: { format: 'rawxml', value: apiPolicyXml() } },
    dependsOn: [api.id, backend.id, namedValue.id],
    owned: ['properties.value'],
  });
  // Service-wide: API Management's own refusals (key, route, rate limit, quota) in OpenAI's error shape.
  const globalPolicy = resource({
    id: `${svc}/policies/policy`,
    type: 'Microsoft.ApiManagement/service/policies',
    label: 'apim/global-policy',
    body: { properties: { format: 'rawxml', value: globalPolicyXml() } },
    dependsOn: [svc],
    owned: ['properties.value'],
  });
  const products = Object.entries(config.gateway.tiers).flatMap(([tier, limits]) => {
    const productId = `${svc}/products/${tier}`;
    return [
      resource({
        id: productId,
        type: 'Microsoft.ApiManagement/service/products',
        label: `apim/product/${tier}`,
        body: {
          properties: {
            displayName: tier,
            description: `${limits.rateLimit.calls} calls per ${limits.rateLimit.period} s, ${limits.quota.calls} per ${limits.quota.period} s`,
            subscriptionRequired: true,
            approvalRequired: false,
            state: 'published',
          },
        },
        dependsOn: [svc],
        owned: ['properties.displayName', 'properties.description', 'properties.subscriptionRequired', 'properties.state'],
      }),
      resource({
        id: `${productId}/apis/${API_NAME}`,
        type: 'Microsoft.ApiManagement/service/products/apis',
        label: `apim/product/${tier}/api`,
        body: {},
        dependsOn: [productId, api.id],
        owned: [],
      }),
      resource({
        id: `${productId}/policies/policy`,
        type: 'Microsoft.ApiManagement/service/products/policies',
        label: `apim/product/${tier}/policy`,
        body: { properties: { format: 'rawxml', value: productPolicyXml(limits) } },
        dependsOn: [productId],
        owned: ['properties.value'],
      }),
    ];
  });
  return [service, api, backend, namedValue, apiPolicy, globalPolicy, ...products];
}
