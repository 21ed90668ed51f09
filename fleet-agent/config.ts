// The agent's config: one JSON file (written by cloud-init on a VM, by the local cloud for each
// emulated instance) plus GPUARB_AGENT_* environment overrides. Strict zod schema; every problem
// is reported at once, each naming its field.
import { readFileSync } from 'node:fs';
import { DEFAULT_BODY_IDLE_MS, DEFAULT_HEADERS_MS, DEFAULT_RECEIVE_MS } from '../contracts/slow-clients.js';
import { z } from 'zod';
import { normalizeSimGpu } from './engines/sim/profiles.js';
import { REGISTRY_CONTAINER, REGISTRY_HEARTBEAT_MS } from '../contracts/registry.js';

const strict = z.strictObject;
const AZURE_SCHEDULED_EVENTS_URL = 'http://169.254.169.254/metadata/scheduledevents?api-version=2020-07-01';

const simEngine = strict({
  type: z.literal('sim'),
  model: z.string().min(1),
  gpu: z.string().transform((g, ctx) => {
    const gpu = normalizeSimGpu(g);
    if (gpu !== undefined) return gpu;
    ctx.addIssue({ code: 'custom', message: `unknown GPU "${g}" (T4, A100-80GB, 2xA100, 4xA100, H100 or none)` });
    return z.NEVER;
  }),
  loadMs: z.number().int().min(0).default(0),
  /** The load fails after loadMs (as a vLLM out-of-memory would): the replica never serves. */
  failLoad: z.boolean().default(false),
  maxQueue: z.number().int().min(0).default(1024),
});

const llamacppEngine = strict({
  type: z.literal('llamacpp'),
  model: z.string().min(1),
  modelPath: z.string().min(1),
  contextSize: z.number().int().min(64).default(4096),
  /** Sequences decoded in parallel; more requests wait in the queue. */
  parallel: z.number().int().min(1).max(64).default(4),
  maxQueue: z.number().int().min(0).default(256),
  gpu: z.union([z.boolean(), z.literal('auto')]).default('auto'),
  maxThreads: z.number().int().min(0).optional(),
});

const vllmEngine = strict({
  type: z.literal('vllm'),
  /** The name clients use (passed as --served-model-name). */
  model: z.string().min(1),
  /** What vLLM loads: a Hugging Face repo id or a local directory. */
  source: z.string().min(1),
  command: z.array(z.string()).min(1).default(['vllm', 'serve']),
  /** Port vLLM listens on (127.0.0.1 only); 0 picks a free one. */
  port: z.number().int().min(0).max(65535).default(8000),
  quantization: z.enum(['awq', 'gptq', 'fp8']).optional(),
  tensorParallelSize: z.number().int().min(1).max(8).default(1),
  dtype: z.enum(['auto', 'float16', 'bfloat16']).default('auto'),
  contextLength: z.number().int().min(64).default(4096),
  extraArgs: z.array(z.string()).default([]),
  env: z.record(z.string(), z.string()).default({}),
  /** 70B weights take many minutes to load on a cold VM. */
  startupTimeoutMs: z.number().int().min(1000).default(3_600_000),
  restartBackoff: strict({ initialMs: z.number().int().min(10).default(1000), maxMs: z.number().int().min(10).default(60_000) }).prefault(
    {},
  ),
  metricsPollMs: z.number().int().min(50).default(1000),
  requestTimeoutMs: z.number().int().min(1000).default(600_000),
});

const auth = z.discriminatedUnion('type', [
  strict({ type: z.literal('static'), keys: z.array(z.string().min(16, 'keys are at least 16 characters')).min(1).max(2) }),
  strict({ type: z.literal('file'), path: z.string().min(1), pollMs: z.number().int().min(100).default(5000) }),
  strict({
    type: z.literal('keyvault'),
    vaultUrl: z.url(),
    secretName: z.string().default('internal-service-key'),
    clientId: z.string().optional(),
    pollMs: z.number().int().min(1000).default(60_000),
  }),
]);

export const agentConfigSchema = strict({
  /** VM name: the registry id and what Scheduled Events lists in `Resources`. */
  instanceName: z.string().min(1),
  pool: z.string().min(1),
  listen: strict({ host: z.string().default('0.0.0.0'), port: z.number().int().min(0).max(65535).default(8080) }).prefault({}),
  /** Base URL others reach this agent at; default http://<first private IPv4>:<port>. */
  advertiseUrl: z.url().optional(),
  zone: z
    .union([z.string(), z.number().transform(String)])
    .nullable()
    .default(null),
  priority: z.enum(['Spot', 'Regular']).default('Spot'),
  engine: z.discriminatedUnion('type', [simEngine, llamacppEngine, vllmEngine]),
  auth,
  /** /metrics needs the internal key unless this is true (health probes never need it). */
  publicMetrics: z.boolean().default(false),
  registry: strict({
    endpoint: z.url(),
    /** Account key (the local cloud). Without it the VM's managed identity is used (Azure). */
    key: z.string().min(1).optional(),
    /** Client id of the user-assigned managed identity (Azure). */
    clientId: z.string().optional(),
    database: z.string().default('gpuarb'),
    container: z.string().default(REGISTRY_CONTAINER),
    heartbeatMs: z.number().int().min(100).default(REGISTRY_HEARTBEAT_MS),
    /** PEM file of a CA to trust (the local cloud's self-signed Cosmos certificate). */
    caFile: z.string().optional(),
    rejectUnauthorized: z.boolean().default(true),
    createIfMissing: z.boolean().default(false),
    requestTimeoutMs: z.number().int().min(100).default(2000),
    ttlSeconds: z.number().int().min(10).optional(),
    /**
     * The pool's own registry secret (Key Vault `registry-key-<pool>`, read by the pool's own
     * identity): entries are signed with a key derived from it. Unset: derived from the internal
     * service key, which every pool's agents hold, so any of them could sign for any pool.
     */
    signingKey: auth.optional(),
  }).optional(),
  scheduledEvents: strict({
    enabled: z.boolean().default(true),
    url: z.url().default(AZURE_SCHEDULED_EVENTS_URL),
    /** Azure says poll at least every second; 500 ms keeps event → draining under 1 s. */
    pollMs: z.number().int().min(50).default(500),
    /** Stop waiting for in-flight requests this long before NotBefore, to acknowledge in time. */
    marginMs: z.number().int().min(0).default(2000),
    /** Drain deadline when an event has no NotBefore. */
    defaultNoticeMs: z.number().int().min(0).default(30_000),
  }).prefault({}),
  drain: strict({
    /** SIGTERM: how long in-flight requests may take (keep below systemd's TimeoutStopSec). */
    sigtermGraceMs: z.number().int().min(0).default(25_000),
    retryAfterSeconds: z.number().int().min(0).default(1),
  }).prefault({}),
  limits: strict({
    maxBodyBytes: z.number().int().min(1024).default(1_048_576),
    defaultMaxTokens: z.number().int().min(1).default(512),
    /** Slow-client bounds: node's own defaults (300 s, none for a stalled body) are not ours (contracts/slow-clients.ts). */
    receiveMs: z.number().int().min(100).default(DEFAULT_RECEIVE_MS),
    headersMs: z.number().int().min(100).default(DEFAULT_HEADERS_MS),
    bodyIdleMs: z.number().int().min(100).default(DEFAULT_BODY_IDLE_MS),
  }).prefault({}),
  log: strict({
    level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    /** Log prompt and completion text (off: privacy; on only for debugging). */
    content: z.boolean().default(false),
    accessLog: z.boolean().default(true),
  }).prefault({}),
});

export type AgentConfigInput = z.input<typeof agentConfigSchema>;
export type AgentConfig = z.output<typeof agentConfigSchema>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const ENV_PREFIX = 'GPUARB_AGENT_';

/** GPUARB_AGENT_REGISTRY__KEY=… sets registry.key; `__` nests, SNAKE_CASE becomes camelCase. */
export function applyEnvOverrides(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out = structuredClone(raw);
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined) continue;
    const path = name
      .slice(ENV_PREFIX.length)
      .split('__')
      .map((p) => p.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()));
    let target = out;
    for (const key of path.slice(0, -1)) {
      if (typeof target[key] !== 'object' || target[key] === null) target[key] = {};
      target = target[key] as Record<string, unknown>;
    }
    target[path[path.length - 1]] = parseEnvValue(value);
  }
  return out;
}

/** Numbers, booleans, arrays and objects as JSON; anything else stays a string. */
function parseEnvValue(value: string): unknown {
  if (/^(-?\d+(\.\d+)?|true|false|null|\[.*\]|\{.*\})$/s.test(value.trim())) {
    try {
      return JSON.parse(value);
    } catch {
      /* a string after all */
    }
  }
  return value;
}

export function parseAgentConfig(raw: unknown, origin = 'config'): AgentConfig {
  const result = agentConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
  throw new ConfigError(`${origin} is invalid:\n${lines.join('\n')}`);
}

export function loadAgentConfig(path: string, env: NodeJS.ProcessEnv = process.env): AgentConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigError(`cannot read config ${path}: ${(e as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(`config ${path} must be a JSON object`);
  return parseAgentConfig(applyEnvOverrides(raw as Record<string, unknown>, env), `config ${path}`);
}
