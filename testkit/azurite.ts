// Azurite for tests: the local cloud's storage service (emulator/runtime/services/azurite.ts), in
// memory, on free loopback ports, plain http.
import { type AzuriteService, startAzuriteService } from '../emulator/runtime/services/azurite.js';

export type TestAzurite = AzuriteService;

export function startTestAzurite(timeoutMs = 20_000): Promise<TestAzurite> {
  return startAzuriteService({ timeoutMs });
}
