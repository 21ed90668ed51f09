// The Cosmos containers the gateway uses and their partition keys. The provisioning code and
// the local cloud create them; the gateway never creates containers itself (in Azure its
// identity has data-plane rights only).
import { REGISTRY_CONTAINER, REGISTRY_PARTITION_KEY } from './registry.js';

export const CONTAINERS = {
  /** Response cache: one item per cache key; `ttl` per item plus a stored `expiresAt`. */
  cache: { id: 'cache', partitionKey: '/id' },
  /** Replica registry, written by the fleet agents. */
  registry: { id: REGISTRY_CONTAINER, partitionKey: REGISTRY_PARTITION_KEY },
  /** Usage counters: one item per customer, model and UTC day. */
  usage: { id: 'usage', partitionKey: '/customer' },
  /** Async jobs: one item per job. */
  jobs: { id: 'jobs', partitionKey: '/id' },
} as const;
