// Turns the command's flags into a validated load plan. Every problem is reported at once and
// before anything is sent: impossible rates, bad durations, a malformed mix, conflicting flags.
import { extname } from 'node:path';
import { parseDurationSeconds } from '../config/duration.js';
import { UserError } from '../core/errors.js';
import { parseSlo, type Objective } from './slo.js';
import type { Arrival, ChaosPlan } from './types.js';

const MAX_RATE = 20_000;
const MAX_CONCURRENCY = 5_000;
const MAX_DURATION_SEC = 24 * 3600;
export const DEFAULT_MIX: Array<[string, number]> = [
  ['phi3-mini', 70],
  ['mixtral-8x7b', 20],
  ['llama3-70b', 10],
];
/** Default share of exact repeats in the built-in workload (justified in docs/loadtest.md). */
const DEFAULT_REPEAT = 0.5;

export interface LoadtestFlags {
  local?: boolean;
  url?: string;
  key?: string;
  rate?: string;
  concurrency?: string;
  duration?: string;
  model?: string;
  mix?: string;
  workload?: string;
  repeat?: string;
  stream?: boolean;
  slo?: string;
  timeout?: string;
  out?: string;
  evictEvery?: string;
  rotateSecretAt?: string;
  seed?: string;
  connections?: string;
}

export interface LoadPlan {
  target: { kind: 'local' } | { kind: 'url'; url: string; key: string };
  arrival: Arrival;
  durationSec: number;
  mix: Array<[string, number]>;
  workload: { kind: 'builtin'; repeatShare: number } | { kind: 'file'; path: string };
  stream: boolean;
  objectives: Objective[] | null;
  timeoutMs: number;
  out: { path: string; format: 'html' | 'json' } | null;
  chaos: ChaosPlan;
  seed: number;
  connections: number;
}

export function resolvePlan(f: LoadtestFlags): LoadPlan {
  const problems: string[] = [];
  const need = <T>(value: T | undefined, message: string): T | undefined => {
    if (value === undefined) problems.push(message);
    return value;
  };
  const number = (flag: string, raw: string, min: number, max: number, integer = false): number | undefined => {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n)))
      return need(undefined, `${flag} "${raw}" is not ${integer ? 'a whole number' : 'a number'}`);
    if (n < min || n > max)
      return need(undefined, `${flag} ${raw} is outside ${min === 0 ? '(0' : `[${min}`}, ${max}]${flag === '--rate' ? ' requests/s' : ''}`);
    if (min === 0 && n === 0) return need(undefined, `${flag} must be more than 0`);
    return n;
  };
  const seconds = (flag: string, raw: string | undefined): number | undefined => {
    if (raw === undefined) return undefined;
    const s = parseDurationSeconds(raw);
    return s === undefined ? need(undefined, `${flag} "${raw}" is not a duration (e.g. 30s, 5m)`) : s;
  };

  let target: LoadPlan['target'] | undefined;
  if (f.local && (f.url || f.key)) problems.push('--local and --url/--key-file (or GPUARB_API_KEY) are alternatives: give one');
  else if (f.local) target = { kind: 'local' };
  else if (f.url && f.key) {
    if (!/^https?:\/\/[^/]+/.test(f.url)) problems.push(`--url "${f.url}" is not an http(s) URL`);
    else target = { kind: 'url', url: f.url.replace(/\/+$/, ''), key: f.key };
  } else
    problems.push(
      f.url
        ? 'a key is required with --url: GPUARB_API_KEY or --key-file'
        : f.key
          ? '--url is required with a key'
          : 'give --local, or --url and --key-file (or GPUARB_API_KEY)',
    );

  let arrival: Arrival | undefined;
  if (f.rate !== undefined && f.concurrency !== undefined)
    problems.push('--rate (open loop) and --concurrency (closed loop) are alternatives: give one');
  else if (f.rate !== undefined) {
    const rate = number('--rate', f.rate, 0, MAX_RATE);
    if (rate !== undefined) arrival = { kind: 'open', rate };
  } else if (f.concurrency !== undefined) {
    const c = number('--concurrency', f.concurrency, 1, MAX_CONCURRENCY, true);
    if (c !== undefined) arrival = { kind: 'closed', concurrency: c };
  } else problems.push('give --rate R (requests/s, open loop) or --concurrency C (closed loop)');

  const durationSec = seconds('--duration', need(f.duration, '--duration is required (e.g. 60s)'));
  if (durationSec !== undefined && (durationSec <= 0 || durationSec > MAX_DURATION_SEC))
    problems.push(`--duration must be more than 0 and at most 24h`);

  let mix: Array<[string, number]> = DEFAULT_MIX;
  if (f.model && f.mix) problems.push('--model and --mix are alternatives: give one');
  else if (f.model) mix = [[f.model, 1]];
  else if (f.mix) mix = parseMix(f.mix, problems);

  let workload: LoadPlan['workload'] = { kind: 'builtin', repeatShare: DEFAULT_REPEAT };
  if (f.workload && f.workload !== 'builtin') {
    workload = { kind: 'file', path: f.workload };
    if (f.repeat !== undefined) problems.push('--repeat applies to the built-in workload only (a JSONL file has its own repeats)');
  } else if (f.repeat !== undefined) {
    const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(f.repeat.trim());
    const share = m ? Number(m[1]) / (m[2] ? 100 : 1) : NaN;
    if (!m || !(share >= 0 && share <= 1) || (!m[2] && Number(m[1]) > 1))
      problems.push(`--repeat "${f.repeat}" must be a percentage (e.g. 30%) or a fraction from 0 to 1`);
    else workload = { kind: 'builtin', repeatShare: share };
  }

  let objectives: Objective[] | null = null;
  if (f.slo !== undefined) {
    try {
      objectives = parseSlo(f.slo);
    } catch (e) {
      problems.push((e as Error).message.replace(/\.$/, ''));
    }
  }

  const timeoutSec = seconds('--timeout', f.timeout ?? '60s');
  if (timeoutSec !== undefined && (timeoutSec <= 0 || timeoutSec > 600)) problems.push('--timeout must be more than 0 and at most 10m');

  let out: LoadPlan['out'] = null;
  if (f.out) {
    const ext = extname(f.out).toLowerCase();
    if (ext === '.html' || ext === '.json') out = { path: f.out, format: ext === '.html' ? 'html' : 'json' };
    else problems.push(`--out "${f.out}" must end in .html or .json`);
  }

  const evictEverySec = seconds('--evict-every', f.evictEvery);
  if (evictEverySec !== undefined && evictEverySec < 1) problems.push('--evict-every must be at least 1s');
  const rotateSecretAtSec = seconds('--rotate-secret-at', f.rotateSecretAt);
  if (rotateSecretAtSec !== undefined && durationSec !== undefined && rotateSecretAtSec >= durationSec)
    problems.push('--rotate-secret-at must fall within --duration');

  const seed = f.seed === undefined ? 1 : number('--seed', f.seed, 0, 2 ** 32 - 1, true);
  const connections = f.connections === undefined ? 512 : number('--connections', f.connections, 1, 10_000, true);

  if (
    problems.length ||
    !target ||
    !arrival ||
    durationSec === undefined ||
    timeoutSec === undefined ||
    seed === undefined ||
    connections === undefined
  ) {
    throw new UserError(`Invalid options for \`gpuarb loadtest\`:\n  ${problems.join('\n  ')}`, {
      code: 'UsageError',
      hint: 'See `gpuarb loadtest --help` and docs/loadtest.md.',
    });
  }
  return {
    target,
    arrival,
    durationSec,
    mix,
    workload,
    stream: Boolean(f.stream),
    objectives,
    timeoutMs: timeoutSec * 1000,
    out,
    chaos: { evictEverySec, rotateSecretAtSec },
    seed,
    connections,
  };
}

function parseMix(raw: string, problems: string[]): Array<[string, number]> {
  const mix: Array<[string, number]> = [];
  for (const part of raw.split(',').map((p) => p.trim())) {
    const m = /^([A-Za-z0-9._:/-]+)=(\d+(?:\.\d+)?)$/.exec(part);
    if (!m || Number(m[2]) <= 0) {
      problems.push(`--mix entry "${part}" must be model=weight with a weight above 0 (e.g. phi3-mini=70)`);
      continue;
    }
    if (mix.some(([name]) => name === m[1])) problems.push(`--mix names ${m[1]} twice`);
    mix.push([m[1], Number(m[2])]);
  }
  return mix;
}
