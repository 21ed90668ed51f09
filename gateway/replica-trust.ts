// Which registry entries the gateway may route to (registry-reader.ts applies it): each pool's
// signing secrets, and the networks replicas live in. With `secrets.registryKeys` every pool has
// its own secret, which only that pool's VMs can read, so a shell on one VM signs for its own
// pool only; without it every pool's key is derived from the internal service key (all agents
// hold it). `registry.allowedNetworks` drops an entry that points outside the GPU subnet.
import type { GatewayConfig } from '../contracts/gateway-config.js';
import type { ReplicaTrust } from './registry-reader.js';
import { secretFromConfig, type SecretSource } from './secrets.js';

export function replicaTrust(cfg: GatewayConfig, internalKey: SecretSource): ReplicaTrust {
  const allowedNetworks = cfg.registry.allowedNetworks;
  const perPool = cfg.secrets.registryKeys;
  if (!perPool) return { secretsOf: () => internalKey.values(), allowedNetworks };
  const sources = new Map(Object.entries(perPool).map(([pool, source]) => [pool, secretFromConfig(source)]));
  return {
    secretsOf: async (pool) => (await sources.get(pool)?.values()) ?? [],
    allowedNetworks,
  };
}
