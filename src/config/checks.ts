// Rules that span fields, which the per-field schema cannot express. Each problem carries the
// path it belongs to, so the loader can point at the line in gpuarb.yaml.
import { memoryFitProblems } from './memory-fit.js';
import type { GpuarbConfig } from './schema.js';

export interface ConfigProblem {
  path: (string | number)[];
  message: string;
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

function parseCidr(cidr: string): { start: number; end: number } | undefined {
  const [ip, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  const octets = ip.split('.').map(Number);
  if (bits > 32 || octets.some((o) => o > 255)) return undefined;
  const size = 2 ** (32 - bits);
  const start = Math.floor(ipv4ToInt(ip) / size) * size;
  return { start, end: start + size - 1 };
}

export function crossFieldProblems(c: GpuarbConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (path: (string | number)[], message: string) => problems.push({ path, message });

  const seen = new Map<string, number>();
  c.pools.forEach((p, i) => {
    if (seen.has(p.name)) add(['pools', i, 'name'], `pool name "${p.name}" is used twice (also pools[${seen.get(p.name)}])`);
    seen.set(p.name, i);
    if (p.capacity.min > p.capacity.max) add(['pools', i, 'capacity', 'min'], `min (${p.capacity.min}) is above max (${p.capacity.max})`);
    const initial = p.capacity.initial;
    if (initial !== undefined && (initial < p.capacity.min || initial > p.capacity.max))
      add(['pools', i, 'capacity', 'initial'], `initial (${initial}) must lie between min (${p.capacity.min}) and max (${p.capacity.max})`);
    if (p.spot.regularBase > p.capacity.max)
      add(['pools', i, 'spot', 'regularBase'], `regularBase (${p.spot.regularBase}) is above the pool's max capacity (${p.capacity.max})`);
    if (p.engine === 'llamacpp' && !p.modelFile)
      add(['pools', i, 'modelFile'], 'engine llamacpp needs modelFile (a GGUF path or https URL)');
    if (p.engine === 'vllm' && !p.hfModel) add(['pools', i, 'hfModel'], 'engine vllm needs hfModel (the Hugging Face repo to serve)');
    if (p.autoscale.scaleInQueueBelow >= p.autoscale.scaleOutQueueAbove)
      add(['pools', i, 'autoscale', 'scaleInQueueBelow'], 'scaleInQueueBelow must be below scaleOutQueueAbove, or the pool flaps');
  });

  const models = new Set(c.pools.map((p) => p.model));
  const known = (m: string) => models.has(m) || m in c.routing.aliases;
  for (const [alias, target] of Object.entries(c.routing.aliases)) {
    if (!models.has(target))
      add(
        ['routing', 'aliases', alias],
        `alias "${alias}" points at "${target}", which no pool serves (pools serve: ${[...models].join(', ')})`,
      );
    if (models.has(alias)) add(['routing', 'aliases', alias], `alias "${alias}" shadows a pool's model of the same name`);
  }
  c.routing.auto.rules.forEach((r, i) => {
    if (!known(r.model)) add(['routing', 'auto', 'rules', i, 'model'], `"${r.model}" is not a model any pool serves`);
  });
  if (c.routing.auto.default && !known(c.routing.auto.default))
    add(['routing', 'auto', 'default'], `"${c.routing.auto.default}" is not a model any pool serves`);
  for (const [from, chain] of Object.entries(c.routing.fallback)) {
    if (!known(from)) add(['routing', 'fallback', from], `"${from}" is not a model any pool serves`);
    chain.forEach((m, i) => {
      if (!known(m)) add(['routing', 'fallback', from, i], `"${m}" is not a model any pool serves`);
      if (m === from) add(['routing', 'fallback', from, i], `"${from}" cannot fall back to itself`);
    });
  }
  if (!(c.gateway.defaultTier in c.gateway.tiers))
    add(
      ['gateway', 'defaultTier'],
      `defaultTier "${c.gateway.defaultTier}" is not one of the tiers (${Object.keys(c.gateway.tiers).join(', ')})`,
    );

  const space = parseCidr(c.network.addressSpace);
  const subnets = (['vmssSubnet', 'functionsSubnet'] as const).map((k) => ({ k, r: parseCidr(c.network[k]) }));
  if (!space) add(['network', 'addressSpace'], `"${c.network.addressSpace}" is not a valid CIDR block`);
  for (const { k, r } of subnets) {
    if (!r) add(['network', k], `"${c.network[k]}" is not a valid CIDR block`);
    else if (space && (r.start < space.start || r.end > space.end))
      add(['network', k], `${c.network[k]} lies outside the address space ${c.network.addressSpace}`);
  }
  const [a, b] = subnets.map((s) => s.r);
  if (a && b && a.start <= b.end && b.start <= a.end)
    add(['network', 'functionsSubnet'], `${c.network.functionsSubnet} overlaps vmssSubnet ${c.network.vmssSubnet}`);
  problems.push(...memoryFitProblems(c.pools));
  return problems;
}

/** Valid but risky choices, which `gpuarb config validate` reports as warnings. */
export function configWarnings(c: GpuarbConfig): ConfigProblem[] {
  const warnings: ConfigProblem[] = [];
  if (c.gateway.cache.enabled && c.gateway.cache.scope === 'global')
    warnings.push({
      path: ['gateway', 'cache', 'scope'],
      message:
        "scope global shares cached answers across customers: one customer's identical deterministic request gets another's answer (and prompt), and can plant answers others receive. Use per-customer unless every customer is the same tenant.",
    });
  return warnings;
}
