// Everything a request handler needs, built once per gateway instance (see gateway.ts).
import type { CosmosClient, Container } from '@azure/cosmos';
import type { GatewayConfig } from '../contracts/gateway-config.js';
import type { Logger } from './log.js';
import type { Router } from './routing.js';
import type { RegistryReader } from './registry-reader.js';
import type { Balancer } from './balancer.js';
import type { AgentClient } from './agent-client.js';
import type { ResponseCache } from './response-cache.js';
import type { UsageMeter } from './usage-meter.js';
import type { SecretSource } from './secrets.js';
import type { JobsService } from './jobs-service.js';
import type { DispatchDeps } from './dispatch.js';

export interface GatewayContext {
  cfg: GatewayConfig;
  log: Logger;
  router: Router;
  registry: RegistryReader;
  balancer: Balancer;
  agents: AgentClient;
  cache: ResponseCache | undefined;
  meter: UsageMeter;
  backendSecret: SecretSource;
  internalKey: SecretSource;
  cosmos: CosmosClient;
  containers: { cache: Container; registry: Container; usage: Container; jobs: Container };
  jobs: JobsService | undefined;
  dispatchDeps: DispatchDeps;
  /** Requests being handled, usage writes included: what a crash can lose. */
  inFlight: { count: number };
  startedAt: number;
}
