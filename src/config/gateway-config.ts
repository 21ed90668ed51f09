// Maps the stack config (gpuarb.yaml) to the gateway's own config — the GPUARB_GATEWAY_CONFIG
// app setting the function app carries (models with aliases, fallback chains, the skills `auto`
// routes on, costs and context sizes). Pure, shared by provisioning and the local cloud.

export interface StackConfigForGateway {
  stack: string;
  gateway: {
    cache: { enabled: boolean; ttl: number; scope: 'global' | 'per-customer' };
    requestTimeout: number;
    maxBodyBytes: number;
    jobs: { maxAttempts: number; resultTtl: number };
  };
  routing: {
    aliases: Record<string, string>;
    auto: {
      rules: { model: string; when: { hasTools?: boolean; looksLikeCode?: boolean; looksLikeMath?: boolean; promptTokensOver?: number } }[];
      default?: string;
    };
    fallback: Record<string, string[]>;
  };
  pools: { name: string; model: string; prices: { inputPerMillion: number; outputPerMillion: number } }[];
  /** The GPU subnet: the only network replicas' addresses may be in. */
  network?: { vmssSubnet: string };
}

/**
 * Models gpuarb knows to call tools: vLLM has a tool-call parser and chat template for each
 * (llama3_json for Llama 3, mistral for Mixtral); Phi-3-mini has neither. Another model calls
 * tools when a routing rule sends tool requests to it.
 */
const KNOWN_TOOL_MODELS = new Set(['mixtral-8x7b', 'llama3-70b']);

/** Context windows of the models gpuarb knows; others get a conservative 4k. */
const KNOWN_CONTEXT: Record<string, number> = { 'phi3-mini': 4096, 'mixtral-8x7b': 32768, 'llama3-70b': 8192 };

export interface GatewayModel {
  name: string;
  aliases: string[];
  contextTokens: number;
  maxOutputTokens: number;
  skills: ('code' | 'math' | 'tools')[];
  cost: { inputPerMillion: number; outputPerMillion: number };
  fallback: string[];
}

export function gatewayModels(stack: StackConfigForGateway): GatewayModel[] {
  // Each model once, in the order of its first pool; that pool's prices are the model's cost.
  const firstPoolOf = new Map<string, StackConfigForGateway['pools'][number]>();
  for (const p of stack.pools) if (!firstPoolOf.has(p.model)) firstPoolOf.set(p.model, p);
  return [...firstPoolOf].map(([name, pool]) => {
    const rules = stack.routing.auto.rules.filter((r) => r.model === name);
    const skills = new Set<'code' | 'math' | 'tools'>(KNOWN_TOOL_MODELS.has(name) ? ['tools'] : []);
    for (const r of rules) {
      if (r.when.hasTools) skills.add('tools');
      if (r.when.looksLikeCode) skills.add('code');
      if (r.when.looksLikeMath) skills.add('math');
    }
    const contextTokens = KNOWN_CONTEXT[name] ?? 4096;
    return {
      name,
      aliases: Object.entries(stack.routing.aliases)
        .filter(([, target]) => target === name)
        .map(([alias]) => alias),
      contextTokens,
      maxOutputTokens: Math.min(4096, contextTokens),
      skills: [...skills],
      cost: pool.prices,
      fallback: stack.routing.fallback[name] ?? [],
    };
  });
}

/** The model `auto` falls back to when nothing fits: the configured default, else the biggest context. */
export function autoDefault(stack: StackConfigForGateway, models: GatewayModel[]): string | undefined {
  const d = stack.routing.auto.default;
  if (d) return stack.routing.aliases[d] ?? d;
  return [...models].sort((a, b) => b.contextTokens - a.contextTokens)[0]?.name;
}

/**
 * The gateway's config (contracts/gateway-config.ts) for a stack in Azure, written into the function
 * app's GPUARB_GATEWAY_CONFIG setting: models and routing from gpuarb.yaml, Cosmos by managed
 * identity (no key), both secrets from Key Vault (current and previous version accepted). The
 * local cloud takes the same setting and swaps in its local endpoints and key files.
 */
export function gatewayConfigForStack(
  stack: StackConfigForGateway,
  azure: { cosmosEndpoint: string; cosmosDatabase: string; vaultUrl: string; queueEndpoint: string; jobsQueue: string },
) {
  const models = gatewayModels(stack);
  return {
    cosmos: { endpoint: azure.cosmosEndpoint, database: azure.cosmosDatabase },
    storage: { queueEndpoint: azure.queueEndpoint, jobsQueue: azure.jobsQueue },
    secrets: {
      backend: { kind: 'keyvault', vaultUrl: azure.vaultUrl, name: 'inference-api-key', refreshSeconds: 60 },
      internalServiceKey: { kind: 'keyvault', vaultUrl: azure.vaultUrl, name: 'internal-service-key', refreshSeconds: 60 },
      // Each pool's own registry secret (desired/pool-identities.ts): an entry verifies only under its pool's.
      registryKeys: Object.fromEntries(
        stack.pools.map((p) => [
          p.name,
          { kind: 'keyvault', vaultUrl: azure.vaultUrl, name: `registry-key-${p.name}`, refreshSeconds: 60 },
        ]),
      ),
    },
    ...(stack.network ? { registry: { allowedNetworks: [stack.network.vmssSubnet] } } : {}),
    models,
    auto: { default: autoDefault(stack, models) },
    cache: { enabled: stack.gateway.cache.enabled, ttlSeconds: stack.gateway.cache.ttl, scope: stack.gateway.cache.scope },
    limits: { maxBodyBytes: stack.gateway.maxBodyBytes },
    deadlines: { requestMs: stack.gateway.requestTimeout * 1000, firstByteMs: 60_000, idleMs: 30_000, connectMs: 2_000 },
    jobs: {
      worker: true,
      concurrency: 2,
      maxAttempts: stack.gateway.jobs.maxAttempts,
      visibilityTimeoutSeconds: 60,
      resultTtlSeconds: stack.gateway.jobs.resultTtl,
      pollIntervalMs: 1_000,
    },
  };
}
