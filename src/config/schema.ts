// The gpuarb.yaml schema: strict (unknown keys are errors, with a suggestion), with defaults for
// everything a user need not decide. The default platform is the design's three models on the
// SKUs that fit them (docs/design.md "GPU SKUs").
import { z } from 'zod';
import { durationSeconds } from './duration.js';

const strict = z.strictObject;
const uuid = z.string().regex(/^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/, 'must be a subscription id (a GUID)');
const cidr = z.string().regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, 'must be a CIDR block such as 10.40.0.0/16');
const location = z.string().regex(/^[a-z0-9]+$/, 'must be an Azure region name such as eastus or westeurope (lowercase, no spaces)');

const STACK_NAME_RULE = /^[a-z][a-z0-9-]{1,18}[a-z0-9]$/;

const rateLimitSchema = strict({
  calls: z.number().int().min(1).max(1_000_000),
  period: durationSeconds.pipe(z.number().min(1).max(300)),
});
const quotaSchema = strict({
  calls: z.number().int().min(1).max(1_000_000_000),
  period: durationSeconds.pipe(z.number().min(3600)),
});
const tierSchema = strict({ rateLimit: rateLimitSchema, quota: quotaSchema });

const gatewaySchema = strict({
  cache: strict({
    enabled: z.boolean().default(true),
    ttl: durationSeconds
      .pipe(
        z
          .number()
          .min(1)
          .max(30 * 86400),
      )
      .default(3600),
    // Per customer unless the operator opts in: a global cache hands one customer's cached answer
    // (and so their prompt) to any other customer who sends the same deterministic request, and
    // lets any customer plant an answer others receive. `config validate` warns about `global`.
    scope: z.enum(['global', 'per-customer']).default('per-customer'),
  }).prefault({}),
  tiers: z.record(z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, 'tier names are lowercase words'), tierSchema).default({
    standard: { rateLimit: { calls: 60, period: 60 }, quota: { calls: 100_000, period: 2_592_000 } },
    pro: { rateLimit: { calls: 600, period: 60 }, quota: { calls: 5_000_000, period: 2_592_000 } },
  }),
  defaultTier: z.string().default('standard'),
  jobs: strict({
    enabled: z.boolean().default(true),
    maxAttempts: z.number().int().min(1).max(10).default(3),
    resultTtl: durationSeconds.pipe(z.number().min(60)).default(86400),
  }).prefault({}),
  requestTimeout: durationSeconds.pipe(z.number().min(1).max(600)).default(120),
  maxBodyBytes: z
    .number()
    .int()
    .min(1024)
    .max(32 * 1024 * 1024)
    .default(1_048_576),
}).prefault({});

const spotSchema = strict({
  enabled: z.boolean().default(true),
  evictionPolicy: z.enum(['Delete', 'Deallocate']).default('Delete'),
  maxPrice: z
    .number()
    .refine((v) => v === -1 || v > 0, 'maxPrice is -1 (never evicted for price) or a positive USD/hour cap')
    .default(-1),
  /** On-demand floor: this many Regular VMs before any Spot. */
  regularBase: z.number().int().min(0).max(1000).default(0),
  /** Share of Regular VMs above the base, 0–100. */
  regularPercentAboveBase: z.number().int().min(0).max(100).default(0),
  zones: z
    .array(z.enum(['1', '2', '3']))
    .min(1)
    .default(['1', '2', '3']),
}).prefault({});

const autoscaleSchema = strict({
  enabled: z.boolean().default(true),
  /** Scale out when the average queue per instance exceeds this. */
  scaleOutQueueAbove: z.number().min(0).default(4),
  scaleInQueueBelow: z.number().min(0).default(0.5),
  cooldown: durationSeconds.pipe(z.number().min(60)).default(300),
}).prefault({});

export const marketPriceSchema = strict({
  name: z.string().min(1),
  inputPerMillion: z.number().min(0),
  outputPerMillion: z.number().min(0),
  /** Where the figure comes from (a URL or a note), shown beside it. */
  source: z.string().min(1),
  asOf: z.string().optional(),
});

/** Assumptions and scope of `gpuarb cost`; every value is shown as an input with this key. */
export const costSchema = strict({
  /** ISO 4217 code the Retail Prices API is queried in; sell prices stay in USD and are converted. */
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'a currency is a three-letter ISO 4217 code such as USD or EUR')
    .default('USD'),
  /** Share of full-load throughput the pools serve, when it is not measured. */
  utilisation: z.number().gt(0).max(1).default(0.5),
  /** How long an evicted spot replica takes to come back (new VM, model load). */
  repairTime: durationSeconds.pipe(z.number().min(1)).default(900),
  /** `cost --recommend`: target probability (percent) of keeping the minimum ready replicas. */
  availabilityTarget: z.number().gt(0).lt(100).default(99.9),
  /** `cost --recommend`: regions it may suggest (default: the stack's location). */
  regions: z.array(location).default([]),
}).prefault({});

const poolSchema = strict({
  name: z
    .string()
    .regex(/^[a-z][a-z0-9]{0,8}$/, 'pool names are 1–9 lowercase letters and digits, starting with a letter (they prefix VM names)'),
  model: z.string().regex(/^[a-z0-9][a-z0-9.-]{0,62}$/, 'model ids are lowercase, e.g. phi3-mini'),
  engine: z.enum(['vllm', 'llamacpp', 'sim']).default('vllm'),
  /** Hugging Face repo vLLM serves (engine vllm). */
  hfModel: z.string().optional(),
  /** GGUF file (engine llamacpp): a local path or an https URL. */
  modelFile: z.string().optional(),
  quantization: z.enum(['none', 'awq', 'gptq', 'fp8']).default('none'),
  tensorParallel: z.number().int().min(1).max(8).default(1),
  contextLength: z.number().int().min(256).max(131072).default(4096),
  sku: z.string().regex(/^Standard_[A-Za-z0-9_]+$/, 'VM sizes look like Standard_NC4as_T4_v3'),
  /** GPU profile the sim engine imitates (defaults from the SKU). */
  gpu: z.string().optional(),
  spot: spotSchema,
  capacity: strict({
    min: z.number().int().min(0).max(1000).default(1),
    max: z.number().int().min(1).max(1000).default(4),
    initial: z.number().int().min(0).max(1000).optional(),
  }).prefault({}),
  autoscale: autoscaleSchema,
  /** USD per million tokens charged to customers (revenue in `usage` and `cost`). */
  prices: strict({
    inputPerMillion: z.number().min(0).default(0.2),
    outputPerMillion: z.number().min(0).default(0.6),
  }).prefault({}),
  /** Operator-supplied market prices to compare with (`gpuarb cost`), each with its source. */
  marketPrices: z.array(marketPriceSchema).default([]),
});

const autoRuleSchema = strict({
  model: z.string(),
  when: strict({
    promptTokensOver: z.number().int().min(0).optional(),
    maxTokensOver: z.number().int().min(0).optional(),
    hasTools: z.boolean().optional(),
    looksLikeCode: z.boolean().optional(),
    looksLikeMath: z.boolean().optional(),
  }),
});

const routingSchema = strict({
  aliases: z.record(z.string(), z.string()).default({}),
  /** `model: "auto"`: the first matching rule wins; otherwise `default`. */
  auto: strict({ rules: z.array(autoRuleSchema).default([]), default: z.string().optional() }).prefault({}),
  /** When a model has no ready replica, try these in order. */
  fallback: z.record(z.string(), z.array(z.string())).default({}),
}).prefault({});

const alertsSchema = strict({
  email: z.email().optional(),
  functionFailuresPerMinute: z.number().int().min(1).default(5),
  responseTimeSeconds: z.number().min(1).default(30),
  cpuPercent: z.number().min(1).max(100).default(80),
}).prefault({});

const secretsSchema = strict({
  /** Consumers accept the previous version this long after a rotation. */
  overlap: durationSeconds.pipe(z.number().min(60)).default(900),
  rotateEvery: durationSeconds.pipe(z.number().min(86400)).default(90 * 86400),
}).prefault({});

export const configSchema = strict({
  stack: z
    .string()
    .regex(STACK_NAME_RULE, 'stack names are 3–20 characters: lowercase letters, digits and hyphens, starting with a letter'),
  subscription: uuid.optional(),
  location: location.default('eastus'),
  tags: z.record(z.string().regex(/^[^<>%&\\?/]{1,512}$/, 'tag names cannot contain < > % & \\ ? /'), z.string().max(256)).default({}),
  network: strict({
    addressSpace: cidr.default('10.40.0.0/16'),
    vmssSubnet: cidr.default('10.40.0.0/20'),
    functionsSubnet: cidr.default('10.40.16.0/24'),
  }).prefault({}),
  gateway: gatewaySchema,
  pools: z.array(poolSchema).min(1, 'at least one pool is needed'),
  routing: routingSchema,
  alerts: alertsSchema,
  secrets: secretsSchema,
  cost: costSchema,
});

export type GpuarbConfigInput = z.input<typeof configSchema>;
export type GpuarbConfig = z.output<typeof configSchema>;
export type PoolConfig = GpuarbConfig['pools'][number];
