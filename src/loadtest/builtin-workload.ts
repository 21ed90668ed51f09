// The built-in workload: chat-shaped requests for the three models of the default platform,
// with a share of exact repeats (what a response cache can serve). Seeded, so two runs with the
// same --seed send the same requests in the same order.
import { randomBytes } from 'node:crypto';
import { required } from '../../lib/required.js';
import { createRng, weightedPicker, type Rng } from './rng.js';
import type { ChatRequest } from './types.js';

export interface WorkloadSource {
  next(): ChatRequest;
  /** Models this workload can send, for the preflight check against GET /v1/models. */
  models(): string[];
}

/** How traffic for a model looks: what it is asked and how long it answers (in tokens). */
interface ModelProfile {
  tasks: readonly string[];
  outputMedian: number;
  outputMax: number;
  /** Extra context lines prepended to some prompts (long-context traffic for the big model). */
  contextLines: number;
}

const CHAT_TASKS = [
  'Summarise in three bullet points:',
  'Answer briefly:',
  'Rewrite politely:',
  'Translate to French:',
  'Give a one-line title for:',
];
const CODE_TASKS = [
  'Explain what this code does:',
  'Write a TypeScript function that',
  'Find the bug in:',
  'Write a SQL query that',
  'Solve step by step:',
];
const LONG_TASKS = ['Write a detailed report on', 'Draft a design document for', 'Compare in depth', 'Write a customer email about'];
const TOPICS = [
  'resetting a forgotten password',
  'a delayed parcel to Lisbon',
  'the refund policy for annual plans',
  'merging two sorted arrays',
  'monthly revenue by region',
  'a memory leak in a Node.js service',
  'migrating a database to a new region',
  'onboarding a new engineer',
  'the quarterly sales meeting',
  'a flaky integration test',
  'GPU spot instance pricing',
  'rate limiting an HTTP API',
];

const MODEL_PROFILES: Record<string, ModelProfile> = {
  'phi3-mini': { tasks: CHAT_TASKS, outputMedian: 120, outputMax: 512, contextLines: 0 },
  'mixtral-8x7b': { tasks: CODE_TASKS, outputMedian: 250, outputMax: 1024, contextLines: 2 },
  'llama3-70b': { tasks: LONG_TASKS, outputMedian: 400, outputMax: 1500, contextLines: 6 },
};
const DEFAULT_PROFILE: ModelProfile = MODEL_PROFILES['phi3-mini'];

/** Distinct popular prompts per model: repeats are drawn from these. */
export const POPULAR_PROMPTS_PER_MODEL = 20;

export interface BuiltinOptions {
  mix: Array<[string, number]>;
  /** Share of requests (0..1) that are exact repeats of a popular prompt. */
  repeatShare: number;
  seed: number;
  stream: boolean;
  /** Marks this run's unique requests; default random, so no earlier run's cache can serve them. */
  runId?: string;
}

export function builtinWorkload(opts: BuiltinOptions): WorkloadSource {
  const rng = createRng(opts.seed);
  const pickModel = weightedPicker(rng, opts.mix);
  const popular = new Map<string, ChatRequest[]>();
  for (const [model] of opts.mix) {
    // A separate seeded stream, so the popular set does not depend on the order of requests.
    const prng = createRng(opts.seed ^ hash(model));
    popular.set(
      model,
      Array.from({ length: POPULAR_PROMPTS_PER_MODEL }, (_, i) => chatRequest(prng, model, `FAQ ${i + 1}`)),
    );
  }
  let sequence = 0;
  // Popular prompts are the same in every run (a warm cache serves them, as in production); the
  // unique ones carry the run id, or a rerun with the same seed would be served from the cache
  // filled by the previous run.
  const runId = opts.runId ?? randomBytes(4).toString('hex');
  return {
    models: () => opts.mix.map(([m]) => m),
    next() {
      const model = pickModel();
      const body =
        rng.next() < opts.repeatShare
          ? rng.pick(required(popular.get(model), `the popular prompts of ${model}`))
          : // The sequence number makes every non-repeat unique, so only repeats can hit the cache.
            chatRequest(rng, model, `request ${runId}-${++sequence}`);
      return opts.stream ? { ...body, stream: true, stream_options: { include_usage: true } } : body;
    },
  };
}

function chatRequest(rng: Rng, model: string, tag: string): ChatRequest {
  const p = MODEL_PROFILES[model] ?? DEFAULT_PROFILE;
  const context = Array.from(
    { length: p.contextLines },
    () => `Note: ${rng.pick(TOPICS)} was discussed with the ${rng.pick(['sales', 'support', 'platform', 'finance'])} team.`,
  );
  const user = [...context, `${rng.pick(p.tasks)} ${rng.pick(TOPICS)} (${tag}).`].join('\n');
  const maxTokens = Math.max(16, Math.min(p.outputMax, Math.round(rng.logNormal(p.outputMedian, 0.6))));
  return {
    model,
    messages: [
      { role: 'system', content: 'You are a helpful assistant for an online business.' },
      { role: 'user', content: user },
    ],
    max_tokens: maxTokens,
    // Deterministic requests are the ones a response cache may store and serve.
    temperature: 0,
  };
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}
