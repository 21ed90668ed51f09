// `gpuarb-gateway --config <file>`: the gateway as a standalone server (the local cloud's
// "function app"). Prints one JSON line on stdout once listening — {"event":"listening","url":…}
// — so a parent process that asked for port 0 learns the port. SIGTERM/SIGINT drain gracefully.
import type { AddressInfo } from 'node:net';
import type { GatewayConfig } from '../contracts/gateway-config.js';
import { loadGatewayConfigFile, ConfigError } from './config-load.js';
import { createGateway } from './gateway.js';
import { createNodeServer } from './node-host.js';
import { createLogger } from './log.js';
import { initTelemetry } from './telemetry.js';

const USAGE = 'usage: gpuarb-gateway --config <file.json>\n  Environment: GPUARB_GATEWAY_* overrides (see docs/gateway.md)\n';

export async function main(argv: string[]): Promise<void> {
  const i = argv.indexOf('--config');
  const path = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith('--config='))?.slice(9);
  if (argv.includes('--help') || argv.includes('-h')) return void process.stdout.write(USAGE);
  if (!path) {
    process.stderr.write(USAGE);
    process.exitCode = 2;
    return;
  }
  let cfg: GatewayConfig;
  try {
    cfg = loadGatewayConfigFile(path);
  } catch (err) {
    process.stderr.write(`gpuarb-gateway: ${err instanceof ConfigError ? err.message : (err as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  const log = createLogger(cfg.telemetry.logLevel);
  await initTelemetry(cfg.telemetry.appInsightsConnectionString, log);
  // No input may crash the process: anything that escapes is logged, and the server carries on.
  process.on('unhandledRejection', (err) => log.error('unhandled rejection', { err }));
  process.on('uncaughtException', (err) => log.error('uncaught exception', { err }));
  const gateway = await createGateway(cfg, { log });
  await gateway.start();
  const server = createNodeServer(gateway.handle, { ...cfg.limits, log });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(cfg.listen.port, cfg.listen.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${cfg.listen.host.includes(':') ? `[${cfg.listen.host}]` : cfg.listen.host}:${port}`;
  process.stdout.write(`${JSON.stringify({ event: 'listening', url, port })}\n`);
  log.info('gateway listening', { url });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('stopping', { signal });
    server.close();
    server.closeIdleConnections();
    await gateway.close(10_000);
    server.closeAllConnections();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}
