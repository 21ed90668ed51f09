// Registers every resource family's behaviors. Adding a family = one file + one line here.
import type { EmulatorCore } from '../core/emulator-core.js';
import { registerApim } from './apim.js';
import { registerCompute } from './compute.js';
import { registerCosmos } from './cosmos.js';
import { registerKeyVault } from './keyvault.js';
import { registerMonitoringLogs } from './monitoring-logs.js';
import { registerNetworkIdentityMonitoring } from './network-identity-monitoring.js';
import { registerNetworkOutbound } from './network-outbound.js';
import { registerStorage } from './storage.js';
import { registerWeb } from './web.js';

export function registerAllTypes(core: EmulatorCore): void {
  registerCompute(core);
  registerKeyVault(core);
  registerStorage(core);
  registerCosmos(core);
  registerWeb(core);
  registerApim(core);
  registerNetworkIdentityMonitoring(core);
  registerMonitoringLogs(core);
  registerNetworkOutbound(core);
}
