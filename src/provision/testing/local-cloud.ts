// Test helper: the real emulator (port 0) and a real ARM client against it, with a request
// counter. Not a mock: the same client code path as against Azure, only endpoint/CA/token differ.
import { startEmulator, type Emulator, type StartEmulatorOptions } from '../../../emulator/index.js';
import { createArmClient, RequestCounter, type ArmClient } from '../../azure/arm-client.js';

export interface LocalCloud {
  emulator: Emulator;
  arm: ArmClient;
  counter: RequestCounter;
  stop(): Promise<void>;
}

export async function startLocalCloud(opts: StartEmulatorOptions & { pollIntervalMs?: number } = {}): Promise<LocalCloud> {
  const emulator = await startEmulator({ port: 0, profile: 'fast', seed: 1, ...opts });
  const counter = new RequestCounter();
  const arm = await createArmClient(
    {
      subscriptionId: emulator.subscriptionId,
      armEndpoint: emulator.endpoint,
      credential: emulator.credential,
      caCertPem: emulator.caCertPem,
    },
    { pollIntervalMs: opts.pollIntervalMs ?? 5, retryDelayInMs: 5, maxRetryDelayInMs: 50, onRequest: counter.record },
  );
  return { emulator, arm, counter, stop: () => emulator.stop() };
}
