// The local cloud refuses a Key Vault–backed named value while API Management's identity cannot
// read the secret, including just after the role assignment is created (RBAC propagation).
// The platform's bounded retry (propagation-retry.ts) rides that window out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../testkit/cloud.js';
import { converge, FAST_RETRY } from '../../testkit/converge.js';
import { defaultTestInput } from '../../testkit/fixtures/stack-config.js';
import { buildDesiredGraph } from './desired/index.js';
import { retryWhileKeyVaultAccessPropagates } from './propagation-retry.js';

const V = '2024-05-01';

describe('Key Vault named values and role propagation', () => {
  let cloud: LocalCloud;
  beforeAll(async () => {
    cloud = await startLocalCloud();
  });
  afterAll(async () => cloud?.stop());

  it('refuses the named value without a role assignment and until a new one has propagated; the retry waits it out', async () => {
    const graph = buildDesiredGraph(defaultTestInput({ stack: 'nvprop' }, cloud.emulator.subscriptionId));
    expect((await converge(graph, cloud.arm, { retry: FAST_RETRY })).result.ok).toBe(true);
    const nv = graph.resources.find((r) => r.type === 'Microsoft.ApiManagement/service/namedValues');
    const grant = graph.resources.find((r) => r.label === 'role/apim/backend-key');
    if (!nv || !grant) throw new Error('graph lacks the named value or its role assignment');
    const current = (await cloud.arm.get(nv.id, V)) as { properties: Record<string, unknown> };
    const assignment = (await cloud.arm.get(grant.id, '2022-04-01')) as { properties: Record<string, unknown> };
    // Without the assignment: refused with a 400 that names Key Vault.
    await cloud.arm.delete(grant.id, '2022-04-01');
    await expect(cloud.arm.put(nv.id, V, { properties: current.properties })).rejects.toMatchObject({
      status: 400,
      code: 'ValidationError',
      message: expect.stringMatching(/Key Vault secret .* could not be fetched .* observe propagation time/),
    });
    // Just after the assignment is created again: still refused; the bounded retry waits until it is accepted.
    const { principalId, roleDefinitionId } = assignment.properties;
    await cloud.arm.put(grant.id, '2022-04-01', { properties: { principalId, roleDefinitionId } });
    await expect(cloud.arm.put(nv.id, V, { properties: current.properties })).rejects.toMatchObject({ code: 'ValidationError' });
    let attempts = 0;
    const put = () => {
      attempts++;
      return cloud.arm.put(nv.id, V, { properties: current.properties });
    };
    await expect(
      retryWhileKeyVaultAccessPropagates(put, undefined, { boundMs: 10_000, firstDelayMs: 50, maxDelayMs: 200 }),
    ).resolves.toBeTruthy();
    expect(attempts).toBeGreaterThan(1);
  });

  it('up writes the named value right after creating its role assignment, and waits out the propagation', async () => {
    const graph = buildDesiredGraph(defaultTestInput({ stack: 'nvup' }, cloud.emulator.subscriptionId));
    expect((await converge(graph, cloud.arm, { retry: FAST_RETRY })).result.ok).toBe(true);
    const nv = graph.resources.find((r) => r.type === 'Microsoft.ApiManagement/service/namedValues');
    const grant = graph.resources.find((r) => r.label === 'role/apim/backend-key');
    if (!nv || !grant) throw new Error('graph lacks the named value or its role assignment');
    // Both gone: the next up creates the assignment and, right after it, the named value.
    await cloud.arm.delete(nv.id, V);
    await cloud.arm.delete(grant.id, '2022-04-01');
    const { plan, result } = await converge(graph, cloud.arm, { retry: FAST_RETRY });
    expect(plan.changes.map((c) => [c.action, c.label]).sort()).toEqual([
      ['create', 'apim/backend-key'],
      ['create', 'role/apim/backend-key'],
    ]);
    const bad = result.steps.filter((s) => s.state !== 'done');
    expect(bad, JSON.stringify(bad, null, 2)).toEqual([]);
  });
});
