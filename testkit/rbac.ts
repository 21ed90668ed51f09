// Granting a data role on the local cloud the way an operator does on Azure: a role assignment
// written through ARM (the real arm-authorization client). The data planes enforce it.
import { randomUUID } from 'node:crypto';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import type { Emulator } from '../emulator/index.js';

/** Built-in role definition ids (the same in every tenant). */
export const BUILT_IN_ROLE = {
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7',
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
} as const;

export async function grantRole(emu: Emulator, scope: string, roleId: string, principalId = emu.operatorObjectId): Promise<void> {
  const auth = new AuthorizationManagementClient(emu.credential, emu.subscriptionId, emu.clientOptions());
  await auth.roleAssignments.create(scope, randomUUID(), {
    roleDefinitionId: `/subscriptions/${emu.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${roleId}`,
    principalId,
  });
}
