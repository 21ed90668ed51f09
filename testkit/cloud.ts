// The one way tests start the local cloud: the real emulator in this process on a free port, the
// AzureTarget a command would get from `--local`, and a real ARM client against it with a request
// counter. Not a mock: the same client code path as against Azure, only endpoint/CA/token differ.
// Pass `dataPlanes` (emulator options) to mount data planes a test drives itself (ops-cloud.ts).
import { type Emulator, type StartEmulatorOptions, startEmulator } from '../emulator/index.js';
import { type ArmClient, createArmClient, RequestCounter } from '../src/azure/arm-client.js';
import { type AzureTarget, localCloudTarget } from '../src/azure/target.js';

export interface LocalCloud {
  emulator: Emulator;
  /** What `--local` resolves to, pointing at this emulator. */
  target: AzureTarget;
  arm: ArmClient;
  counter: RequestCounter;
  stop(): Promise<void>;
}

export async function startLocalCloud(opts: StartEmulatorOptions & { pollIntervalMs?: number } = {}): Promise<LocalCloud> {
  const emulator = await startEmulator({ port: 0, profile: 'fast', seed: 1, ...opts });
  const target: AzureTarget = localCloudTarget({
    subscriptionId: emulator.subscriptionId,
    armEndpoint: emulator.endpoint,
    credential: emulator.credential,
    caCertPem: emulator.caCertPem,
    stateDir: emulator.stateDir,
  });
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
  return { emulator, target, arm, counter, stop: () => emulator.stop() };
}
