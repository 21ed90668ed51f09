// Loads the gateway config: a JSON file (or, in Azure Functions, the GPUARB_GATEWAY_CONFIG
// app setting holding the same JSON), then GPUARB_GATEWAY_* overrides, then strict validation
// that reports every problem at once, each naming its field.
import { readFileSync } from 'node:fs';
import { GatewayConfigSchema, type GatewayConfig } from '../contracts/gateway-config.js';
import { unsafeRuleReason } from './rule-safety.js';

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`invalid gateway config (${source}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Coerce = 'string' | 'int' | 'bool';
/** Environment overrides: variable → [path in the config, type]. */
const ENV_OVERRIDES: Record<string, [string[], Coerce]> = {
  GPUARB_GATEWAY_HOST: [['listen', 'host'], 'string'],
  GPUARB_GATEWAY_PORT: [['listen', 'port'], 'int'],
  GPUARB_GATEWAY_COSMOS_ENDPOINT: [['cosmos', 'endpoint'], 'string'],
  GPUARB_GATEWAY_COSMOS_KEY: [['cosmos', 'key'], 'string'],
  GPUARB_GATEWAY_COSMOS_DATABASE: [['cosmos', 'database'], 'string'],
  GPUARB_GATEWAY_COSMOS_CA_FILE: [['cosmos', 'caFile'], 'string'],
  GPUARB_GATEWAY_STORAGE_CONNECTION_STRING: [['storage', 'connectionString'], 'string'],
  GPUARB_GATEWAY_STORAGE_QUEUE_ENDPOINT: [['storage', 'queueEndpoint'], 'string'],
  GPUARB_GATEWAY_JOBS_QUEUE: [['storage', 'jobsQueue'], 'string'],
  GPUARB_GATEWAY_CACHE_ENABLED: [['cache', 'enabled'], 'bool'],
  GPUARB_GATEWAY_CACHE_TTL_SECONDS: [['cache', 'ttlSeconds'], 'int'],
  GPUARB_GATEWAY_CACHE_SCOPE: [['cache', 'scope'], 'string'],
  GPUARB_GATEWAY_MAX_BODY_BYTES: [['limits', 'maxBodyBytes'], 'int'],
  GPUARB_GATEWAY_REQUEST_DEADLINE_MS: [['deadlines', 'requestMs'], 'int'],
  GPUARB_GATEWAY_JOBS_WORKER: [['jobs', 'worker'], 'bool'],
  GPUARB_GATEWAY_LOG_LEVEL: [['telemetry', 'logLevel'], 'string'],
  GPUARB_GATEWAY_APPINSIGHTS_CONNECTION_STRING: [['telemetry', 'appInsightsConnectionString'], 'string'],
  APPLICATIONINSIGHTS_CONNECTION_STRING: [['telemetry', 'appInsightsConnectionString'], 'string'],
};

function coerce(name: string, raw: string, type: Coerce, problems: string[]): unknown {
  if (type === 'string') return raw;
  if (type === 'int') {
    if (!/^-?\d+$/.test(raw.trim())) problems.push(`${name}: expected an integer, got "${raw}"`);
    return Number(raw);
  }
  if (!/^(true|false|1|0)$/i.test(raw.trim())) problems.push(`${name}: expected true or false, got "${raw}"`);
  return /^(true|1)$/i.test(raw.trim());
}

function setPath(obj: Record<string, unknown>, path: string[], value: unknown): void {
  let node = obj;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}

/** Validates an already parsed config object, applying env overrides first. */
export function parseGatewayConfig(raw: unknown, env: NodeJS.ProcessEnv = {}, source = 'config'): GatewayConfig {
  const problems: string[] = [];
  const obj = (typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? structuredClone(raw) : {}) as Record<string, unknown>;
  if (obj !== raw && (typeof raw !== 'object' || raw === null || Array.isArray(raw))) problems.push('(root): expected a JSON object');
  for (const [name, [path, type]] of Object.entries(ENV_OVERRIDES)) {
    const value = env[name];
    if (value !== undefined && value !== '') setPath(obj, path, coerce(name, value, type, problems));
  }
  const secret = env.GPUARB_GATEWAY_BACKEND_SECRET;
  if (secret)
    setPath(obj, ['secrets', 'backend'], {
      kind: 'static',
      current: secret,
      previous: env.GPUARB_GATEWAY_BACKEND_SECRET_PREVIOUS || undefined,
    });
  const internal = env.GPUARB_GATEWAY_INTERNAL_SERVICE_KEY;
  if (internal) setPath(obj, ['secrets', 'internalServiceKey'], { kind: 'static', current: internal });
  const result = GatewayConfigSchema.safeParse(obj);
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(`${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  if (problems.length || !result.success) throw new ConfigError(source, problems);
  crossCheck(result.data, source);
  return result.data;
}

/** Rules zod cannot express: names unique, fallbacks and the auto default name known models. */
function crossCheck(cfg: GatewayConfig, source: string): void {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  cfg.models.forEach((m, i) => {
    for (const n of [m.name, ...m.aliases]) {
      if (seen.has(n) || cfg.auto.names.includes(n)) problems.push(`models.${i}: name or alias "${n}" is used twice`);
      seen.set(n, m.name);
    }
  });
  const names = new Set(cfg.models.map((m) => m.name));
  cfg.models.forEach((m, i) => {
    m.fallback.forEach((f, j) => {
      if (!names.has(f)) problems.push(`models.${i}.fallback.${j}: unknown model "${f}"`);
    });
  });
  if (cfg.auto.default && !names.has(cfg.auto.default)) problems.push(`auto.default: unknown model "${cfg.auto.default}"`);
  for (const [k, list] of [
    ['codePatterns', cfg.auto.codePatterns],
    ['mathPatterns', cfg.auto.mathPatterns],
  ] as const) {
    list.forEach((p, i) => {
      let unsafe: string | undefined;
      try {
        unsafe = unsafeRuleReason(p, 'i');
      } catch (e) {
        problems.push(`auto.${k}.${i}: ${(e as Error).message}`);
      }
      if (unsafe) problems.push(`auto.${k}.${i}: unsafe on customer text: ${unsafe}`);
    });
  }
  if (problems.length) throw new ConfigError(source, problems);
}

export function loadGatewayConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(path, [`cannot read the file: ${(e as Error).message}`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(path, [`not valid JSON: ${(e as Error).message}`]);
  }
  return parseGatewayConfig(raw, env, path);
}
