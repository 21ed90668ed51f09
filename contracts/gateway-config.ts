// The gateway's configuration, the contract between provisioning (which writes it: app settings in
// Azure Functions, a JSON file in the local cloud) and the gateway (which reads it): validated
// strictly with zod; GPUARB_GATEWAY_* variables override single fields (gateway/config-load.ts).
// Defaults are the values production runs with.
import { isIP } from 'node:net';
import { z } from 'zod';
import { REGISTRY_STALE_AFTER_MS } from './registry.js';
import { DEFAULT_BODY_IDLE_MS, DEFAULT_HEADERS_MS, DEFAULT_MAX_UNAUTHENTICATED_CONNECTIONS, DEFAULT_RECEIVE_MS } from './slow-clients.js';

/** Where a secret comes from. Every kind yields the accepted values: current first, then previous. */
export const SecretSourceSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('static'), current: z.string().min(1), previous: z.string().min(1).optional() }),
  /** A file holding the current value on its first line and the previous on its second; re-read when it changes. */
  z.strictObject({ kind: z.literal('file'), path: z.string().min(1) }),
  /** Key Vault: the two newest enabled versions of the secret are both accepted (rotation overlap). */
  z.strictObject({
    kind: z.literal('keyvault'),
    vaultUrl: z.url(),
    name: z.string().min(1),
    refreshSeconds: z.number().int().positive().default(300),
  }),
]);

/** An IPv4 or IPv6 network as `address/prefix`, e.g. "10.0.1.0/24". */
export const CidrSchema = z.string().refine((v) => {
  const [address, prefix, extra] = v.split('/');
  const family = isIP(address ?? '');
  const bits = Number(prefix);
  return extra === undefined && family !== 0 && Number.isInteger(bits) && bits >= 0 && bits <= (family === 4 ? 32 : 128);
}, 'a network in CIDR form, such as 10.0.1.0/24');

const Skill = z.enum(['code', 'math', 'tools']);

export const ModelSchema = z.strictObject({
  /** The id clients send and the registry's `model` field. */
  name: z.string().min(1),
  aliases: z.array(z.string().min(1)).default([]),
  /** Part of every cache key: bump it when the weights behind the name change. */
  revision: z.string().default(''),
  contextTokens: z.number().int().positive(),
  maxOutputTokens: z.number().int().positive(),
  /** What `auto` may send here: requests showing signs of code, maths or tool use need the skill. */
  skills: z.array(Skill).default([]),
  /** Our cost per million tokens; `auto` picks the cheapest model that fits. */
  cost: z.strictObject({ inputPerMillion: z.number().nonnegative(), outputPerMillion: z.number().nonnegative() }),
  /** Models to try, in order, when this one has no ready replica. */
  fallback: z.array(z.string().min(1)).default([]),
});

const AutoSchema = z.strictObject({
  /** Model names that mean "choose for me". */
  names: z.array(z.string().min(1)).default(['auto']),
  /** Prompt length estimate: characters per token. */
  charsPerToken: z.number().positive().default(4),
  /** Assumed max_tokens when the request sets none. */
  defaultMaxTokens: z.number().int().positive().default(512),
  /**
   * Regular expressions (case-insensitive) whose match in the messages means "code". They run on a
   * bounded window of the prompt and are refused at load when they can backtrack badly
   * (gateway/rule-safety.ts).
   */
  codePatterns: z
    .array(z.string())
    .default([
      '```',
      '\\bdef\\s+\\w+\\(',
      '\\bfunction\\s+\\w*\\(',
      '\\b(class|import|return|const|let)\\s',
      '[;{}]\\s*\\n',
      '\\bSELECT\\b.+\\bFROM\\b',
    ]),
  /** Regular expressions whose match means "maths". */
  mathPatterns: z.array(z.string()).default([
    '\\$[^$]+\\$',
    '\\\\(frac|sum|int|sqrt)',
    '\\b(prove|integral|derivative|equation|theorem|matrix)\\b',
    // Matches exactly where `\\d+\\s*[\\^*/]\\s*\\d+` would, without its quadratic backtracking on digit runs.
    '\\d\\s*[\\^*/]\\s*\\d',
  ]),
  /** Used when no model fits (e.g. a prompt longer than every context): the biggest one. */
  default: z.string().optional(),
});

export const GatewayConfigSchema = z.strictObject({
  listen: z
    .strictObject({ host: z.string().default('127.0.0.1'), port: z.number().int().min(0).max(65535).default(8080) })
    .default({ host: '127.0.0.1', port: 8080 }),
  cosmos: z.strictObject({
    endpoint: z.url(),
    /** Omitted in Azure: the managed identity authenticates (Cosmos data-plane RBAC). */
    key: z.string().min(1).optional(),
    database: z.string().min(1).default('gpuarb'),
    /** PEM file to trust for a local Cosmos server with its own certificate. */
    caFile: z.string().optional(),
  }),
  /** Azure Storage for the jobs queue; without it /v1/jobs answers 503. */
  storage: z
    .strictObject({
      /** Shared-key access (the local cloud's Azurite). */
      connectionString: z.string().min(1).optional(),
      /** Entra access with the managed identity (Azure): e.g. https://<account>.queue.core.windows.net/. */
      queueEndpoint: z.url().optional(),
      jobsQueue: z.string().min(3).default('gpuarb-jobs'),
    })
    .refine(
      (s) => Boolean(s.connectionString) !== Boolean(s.queueEndpoint),
      'set exactly one of storage.connectionString and storage.queueEndpoint',
    )
    .optional(),
  secrets: z.strictObject({
    /** The backend secret API Management sends in x-gpuarb-backend-key. */
    backend: SecretSourceSchema,
    /** The key agents expect in `Authorization: Bearer …`: the current value is used. */
    internalServiceKey: SecretSourceSchema,
    /**
     * Each pool's registry secret (Key Vault `registry-key-<pool>`): an entry of a pool is kept only
     * when signed under that pool's own secret, and a pool not listed has no replicas. Unset: every
     * pool's key is derived from the internal service key, which all agents hold.
     */
    registryKeys: z.record(z.string().min(1), SecretSourceSchema).optional(),
  }),
  models: z.array(ModelSchema).min(1),
  auto: AutoSchema.default(AutoSchema.parse({})),
  cache: z
    .strictObject({
      enabled: z.boolean().default(true),
      ttlSeconds: z.number().int().positive().default(3600),
      scope: z.enum(['global', 'per-customer']).default('per-customer'),
      /** Hot entries kept in process memory in front of Cosmos (0 = none). */
      memoryEntries: z.number().int().min(0).default(10_000),
      /** Bytes those entries may take in all: bounds memory whatever the answers' sizes (64 MiB). */
      memoryBytes: z.number().int().min(0).default(67_108_864),
      /** Which keys exist, known in memory so a miss skips the Cosmos read (gateway/cache-presence.ts). */
      presence: z
        .strictObject({
          enabled: z.boolean().default(true),
          /** Keys stored per TTL window that the filter is sized for (~1.2 MB per million, twice). */
          expectedEntries: z.number().int().positive().default(1_000_000),
          /** How often ids written by other gateways are read. */
          syncMs: z.number().int().min(100).max(60_000).default(1_000),
        })
        .default({ enabled: true, expectedEntries: 1_000_000, syncMs: 1_000 }),
    })
    .default({
      enabled: true,
      ttlSeconds: 3600,
      scope: 'per-customer',
      memoryEntries: 10_000,
      memoryBytes: 67_108_864,
      presence: { enabled: true, expectedEntries: 1_000_000, syncMs: 1_000 },
    }),
  /** Bounds on what one caller can make the standalone host hold (contracts/slow-clients.ts says why each value). */
  limits: z
    .strictObject({
      maxBodyBytes: z.number().int().positive().default(1_048_576),
      receiveMs: z.number().int().positive().default(DEFAULT_RECEIVE_MS),
      headersMs: z.number().int().positive().default(DEFAULT_HEADERS_MS),
      bodyIdleMs: z.number().int().positive().default(DEFAULT_BODY_IDLE_MS),
      maxUnauthenticatedConnections: z.number().int().positive().default(DEFAULT_MAX_UNAUTHENTICATED_CONNECTIONS),
    })
    .default({
      maxBodyBytes: 1_048_576,
      receiveMs: DEFAULT_RECEIVE_MS,
      headersMs: DEFAULT_HEADERS_MS,
      bodyIdleMs: DEFAULT_BODY_IDLE_MS,
      maxUnauthenticatedConnections: DEFAULT_MAX_UNAUTHENTICATED_CONNECTIONS,
    }),
  deadlines: z
    .strictObject({
      /** Whole request, retries included. */
      requestMs: z.number().int().positive().default(120_000),
      /** From sending to an agent until its answer starts (headers, or the first event of a stream). */
      firstByteMs: z.number().int().positive().default(60_000),
      /** Longest silence inside an answer before it counts as broken. */
      idleMs: z.number().int().positive().default(30_000),
      connectMs: z.number().int().positive().default(2_000),
    })
    .default({ requestMs: 120_000, firstByteMs: 60_000, idleMs: 30_000, connectMs: 2_000 }),
  registry: z
    .strictObject({
      cacheMs: z.number().int().min(0).max(2_000).default(2_000),
      staleAfterMs: z.number().int().positive().default(REGISTRY_STALE_AFTER_MS),
      /**
       * The networks replicas live in (the GPU subnet's prefix, CIDR): an entry whose address is
       * not an IP literal inside one of them is never routed to. Unset: any address.
       */
      allowedNetworks: z.array(CidrSchema).min(1).optional(),
    })
    .default({ cacheMs: 2_000, staleAfterMs: REGISTRY_STALE_AFTER_MS }),
  jobs: z
    .strictObject({
      /** Run the queue worker in this process. */
      worker: z.boolean().default(true),
      concurrency: z.number().int().positive().default(2),
      maxAttempts: z.number().int().positive().default(3),
      visibilityTimeoutSeconds: z.number().int().min(1).default(60),
      resultTtlSeconds: z.number().int().positive().default(86_400),
      pollIntervalMs: z.number().int().positive().default(1_000),
    })
    .default({
      worker: true,
      concurrency: 2,
      maxAttempts: 3,
      visibilityTimeoutSeconds: 60,
      resultTtlSeconds: 86_400,
      pollIntervalMs: 1_000,
    }),
  metering: z
    .strictObject({
      /** A usage write waits this long so that concurrent requests share it (see gateway/usage-meter.ts). */
      lingerMs: z.number().int().min(0).max(1_000).default(100),
    })
    .default({ lingerMs: 100 }),
  telemetry: z
    .strictObject({
      logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
      appInsightsConnectionString: z.string().optional(),
    })
    .default({ logLevel: 'info' }),
});

export type GatewayConfig = z.infer<typeof GatewayConfigSchema>;
export type GatewayConfigInput = z.input<typeof GatewayConfigSchema>;
export type ModelConfig = z.infer<typeof ModelSchema>;
export type SecretSourceConfig = z.infer<typeof SecretSourceSchema>;
