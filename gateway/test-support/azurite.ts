// Azurite for the gateway's tests: the local cloud's storage service
// (emulator/runtime/services/azurite.ts), in memory, on free loopback ports, plain http.
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzuriteService, type AzuriteService } from '../../emulator/runtime/services/azurite.js';

export { AZURITE_ACCOUNT, AZURITE_KEY };
export type TestAzurite = AzuriteService;

export function startTestAzurite(timeoutMs = 20_000): Promise<TestAzurite> {
  return startAzuriteService({ timeoutMs });
}
