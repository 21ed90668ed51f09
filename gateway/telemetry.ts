// Application Insights through OpenTelemetry, only when a connection string is configured.
// The distro (@azure/monitor-opentelemetry) is not among the project's dependencies yet, so it
// is loaded by name at run time: with the package installed this enables tracing of incoming
// and outgoing HTTP (request ids flow as span attributes); without it the gateway logs one
// warning and carries on with JSON logs only.
import type { Logger } from './log.js';

export async function initTelemetry(connectionString: string | undefined, log: Logger): Promise<boolean> {
  if (!connectionString) return false;
  const moduleName = '@azure/monitor-opentelemetry';
  try {
    // Renamed on import: the distro's `use…` name is not a React hook, and must not read as one.
    const { useAzureMonitor: startAzureMonitor } = (await import(moduleName)) as { useAzureMonitor(opts: unknown): void };
    startAzureMonitor({ azureMonitorExporterOptions: { connectionString } });
    log.info('application insights enabled');
    return true;
  } catch (err) {
    log.warn(`application insights configured but ${moduleName} is not installed; logs only`, { err });
    return false;
  }
}
