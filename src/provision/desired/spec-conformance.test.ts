// Every body of the default graph whose type has a Microsoft REST spec in vendor/azure-rest-api-specs is
// checked against the PUT schema of that exact api-version: no unknown and no read-only field.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildDesiredGraph } from './index.js';
import { defaultTestInput } from '../../../testkit/fixtures/stack-config.js';
import { RestSpecs } from '../../../testkit/rest-spec.js';
import { required } from '../../../lib/required.js';

// Extracts of Microsoft's specs, vendored with their licence (vendor/azure-rest-api-specs/LICENSE).
const SPECS =
  process.env.GPUARB_REST_SPECS ?? fileURLToPath(new URL('../../../vendor/azure-rest-api-specs/specification', import.meta.url));

describe('bodies conform to Microsoft REST specs (vendored in vendor/azure-rest-api-specs)', () => {
  const specs = new RestSpecs(SPECS);
  const graph = buildDesiredGraph(defaultTestInput());
  const covered = graph.resources.filter((r) => !r.deploy && specs.find(r.id, r.apiVersion));

  it('covers the families with a spec', () => {
    const types = new Set(covered.map((r) => r.type));
    for (const t of [
      'Microsoft.Compute/virtualMachineScaleSets',
      'Microsoft.Web/sites',
      'Microsoft.KeyVault/vaults',
      'Microsoft.DocumentDB/databaseAccounts',
      'Microsoft.Network/virtualNetworks',
      'Microsoft.ApiManagement/service/apis',
      'Microsoft.Storage/storageAccounts',
      'Microsoft.Insights/autoscaleSettings',
    ]) {
      expect(types.has(t), t).toBe(true);
    }
  });

  it('the checker catches unknown, misplaced and read-only fields', () => {
    const vmss = required(
      graph.resources.find((r) => r.type === 'Microsoft.Compute/virtualMachineScaleSets'),
      'a scale set in the graph',
    );
    const op = required(specs.find(vmss.id, vmss.apiVersion), 'the scale set spec');
    const body = structuredClone(vmss.body) as {
      properties: {
        provisioningState?: string;
        virtualMachineProfile: {
          properties?: unknown;
          networkProfile: { networkInterfaceConfigurations: { properties: Record<string, unknown> }[] };
        };
      };
    };
    body.properties.provisioningState = 'Succeeded';
    body.properties.virtualMachineProfile.networkProfile.networkInterfaceConfigurations[0].properties.bogus = 1;
    body.properties.virtualMachineProfile.properties = { priority: 'Spot' };
    expect(specs.check(op.file, op.body, body).sort()).toEqual([
      '.properties.provisioningState: read-only',
      '.properties.virtualMachineProfile.networkProfile.networkInterfaceConfigurations[0].properties.bogus: not in the spec',
      '.properties.virtualMachineProfile.properties: not in the spec',
    ]);
  });

  it.each(covered.map((r) => [r.label, r] as const))('%s', (_label, r) => {
    const op = required(specs.find(r.id, r.apiVersion), `the spec of ${r.type}`);
    expect(specs.check(op.file, op.body, r.body)).toEqual([]);
  });
});
