// The attack: a shell on a VM of one pool signs registry entries for another pool. Each pool's
// VMs carry their own identity besides the shared agent one, and that identity reads exactly one
// secret, its pool's registry secret; nothing else can read it but the gateway. The agent signs
// with it and the gateway verifies each pool's entries under it (gateway/registry-residual.test.ts).
import { describe, expect, it } from 'vitest';
import { required } from '../../../lib/required.js';
import { defaultTestInput } from '../../../testkit/fixtures/stack-config.js';
import { buildDesiredGraph } from './index.js';
import { poolIdentityId, registryKeySecretName } from './pool-identities.js';
import { makeContext } from './context.js';

const input = defaultTestInput();
const graph = buildDesiredGraph(input);
const ctx = makeContext(input);
const pools = input.config.pools.map((p) => p.name);
const assignments = graph.resources.filter((r) => r.type === 'Microsoft.Authorization/roleAssignments');
const principalOf = (r: (typeof assignments)[number]) =>
  (r.body.properties as { principalId: { $ref: { id: string } } }).principalId.$ref.id;
const scopeOf = (r: (typeof assignments)[number]) => r.id.split('/providers/Microsoft.Authorization/')[0];

describe('one registry secret and one identity per pool', () => {
  it("gives each pool's VMs their pool's identity, which reads only that pool's registry secret", () => {
    for (const pool of pools) {
      const identity = poolIdentityId(ctx, pool);
      const vmss = required(
        graph.resources.find((r) => r.id === ctx.ids.vmss(pool)),
        `the ${pool} scale set`,
      );
      expect(Object.keys((vmss.body.identity as { userAssignedIdentities: object }).userAssignedIdentities)).toEqual([
        ctx.ids.identities.agent,
        identity,
      ]);
      expect(assignments.filter((a) => principalOf(a) === identity).map(scopeOf)).toEqual([
        `${ctx.ids.keyVault}/secrets/${registryKeySecretName(pool)}`,
      ]);
      // No other pool's VMs carry it.
      const carriers = graph.resources.filter(
        (r) => r.type === 'Microsoft.Compute/virtualMachineScaleSets' && JSON.stringify(r.body.identity).includes(identity),
      );
      expect(carriers.map((r) => r.id)).toEqual([ctx.ids.vmss(pool)]);
    }
  });

  it('lets only the pool identity and the gateway read a pool secret', () => {
    for (const pool of pools) {
      const scope = `${ctx.ids.keyVault}/secrets/${registryKeySecretName(pool)}`;
      expect(
        assignments
          .filter((a) => scopeOf(a) === scope)
          .map(principalOf)
          .sort(),
      ).toEqual([ctx.ids.identities.gateway, poolIdentityId(ctx, pool)].sort());
    }
  });

  it("tells the agent to sign with its pool's secret and the gateway to verify each pool under its own", () => {
    const settings = required(
      graph.resources.find((r) => r.label === 'function app settings'),
      'the function app settings',
    );
    const config = JSON.parse((settings.body.properties as { GPUARB_GATEWAY_CONFIG: string }).GPUARB_GATEWAY_CONFIG) as {
      secrets: { registryKeys: Record<string, { name: string }> };
      registry: { allowedNetworks: string[] };
    };
    expect(Object.fromEntries(Object.entries(config.secrets.registryKeys).map(([p, s]) => [p, s.name]))).toEqual(
      Object.fromEntries(pools.map((p) => [p, registryKeySecretName(p)])),
    );
    expect(config.registry.allowedNetworks).toEqual([input.config.network.vmssSubnet]);
  });
});
