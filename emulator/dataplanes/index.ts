// The data planes the emulator core mounts on its HTTPS port (Key Vault secrets, Log Analytics
// query, Retail Prices) and the IMDS Scheduled Events service it runs on its own HTTP listener.
// See deps.ts for what the core provides and docs/emulator-dataplanes.md for the URL forms.
import type { DataPlaneHandler, KeyVaultDeps, LogAnalyticsDeps } from './deps.js';
import { createKeyVaultDataPlane, type KeyVaultDataPlane } from './keyvault.js';
import { createLogAnalyticsDataPlane, type LogAnalyticsDataPlane } from './loganalytics.js';
import type { LogStoreOptions } from './log-store.js';
import { createRetailPricesDataPlane, type RetailPricesOptions } from './retail-prices.js';

export * from './deps.js';
export type { KeyVaultDataPlane } from './keyvault.js';
export type { SecretStoreState } from './keyvault-store.js';
export type { LogAnalyticsDataPlane } from './loganalytics.js';
export type { LogStoreOptions, LogStoreState } from './log-store.js';
export type { RetailPricesOptions } from './retail-prices.js';
export {
  createScheduledEvents,
  type ScheduledEvent,
  type ScheduledEventInput,
  type ScheduledEventsService,
} from './scheduled-events.js';
export { createLoopbackAgent, vaultUri } from './vault-host.js';

export interface HttpsDataPlanes {
  keyVault: KeyVaultDataPlane;
  logAnalytics: LogAnalyticsDataPlane;
  retailPrices: DataPlaneHandler;
  /** In the order the router should try them (Key Vault first: it routes on the Host header). */
  handlers: DataPlaneHandler[];
}

/** All three HTTPS data planes from one deps object. */
export function createHttpsDataPlanes(
  deps: KeyVaultDeps & LogAnalyticsDeps,
  options: { logs?: LogStoreOptions; prices?: RetailPricesOptions } = {},
): HttpsDataPlanes {
  const keyVault = createKeyVaultDataPlane(deps);
  const logAnalytics = createLogAnalyticsDataPlane(deps, options.logs);
  const retailPrices = createRetailPricesDataPlane(options.prices);
  return { keyVault, logAnalytics, retailPrices, handlers: [keyVault, logAnalytics, retailPrices] };
}
