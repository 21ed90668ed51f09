// Helpers shared by the resource families.
import { ArmError } from '../core/errors.js';
import type { Core } from '../core/behavior.js';

/**
 * Names that are global DNS labels in Azure (Key Vault, storage, Cosmos, API Management) must be
 * unique across resource groups and subscriptions; `extraTaken` covers soft-deleted vaults.
 */
export function requireGloballyUnique(core: Core, type: string, name: string, id: string, code: string, message: string): void {
  const clash = core.store
    .all()
    .find(
      (r) =>
        r.type.toLowerCase() === type.toLowerCase() &&
        r.doc.name.toLowerCase() === name.toLowerCase() &&
        r.doc.id.toLowerCase() !== id.toLowerCase(),
    );
  if (clash) throw new ArmError(409, code, message);
}

export function armNow(): string {
  return new Date().toISOString();
}
