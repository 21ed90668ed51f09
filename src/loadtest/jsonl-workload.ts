// JSONL workloads: one OpenAI chat completion request per line, replayed in order (cycling).
// Every malformed line is reported with its number before any load is sent.
import { readFile } from 'node:fs/promises';
import { UserError } from '../core/errors.js';
import { createRng, weightedPicker } from './rng.js';
import type { WorkloadSource } from './builtin-workload.js';
import type { ChatRequest } from './types.js';

const MAX_REPORTED = 20;

/** Parses the text of a JSONL workload; throws a UserError naming every bad line. */
export function parseJsonlWorkload(text: string, file: string): Array<Partial<ChatRequest> & Pick<ChatRequest, 'messages'>> {
  const problems: string[] = [];
  const requests: Array<Partial<ChatRequest> & Pick<ChatRequest, 'messages'>> = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const n = i + 1;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      problems.push(`line ${n}: not JSON (${(e as Error).message})`);
      return;
    }
    const problem = checkRequest(value);
    if (problem) problems.push(`line ${n}: ${problem}`);
    else requests.push(value as ChatRequest);
  });
  if (problems.length) {
    const shown = problems.slice(0, MAX_REPORTED).join('\n  ');
    const more = problems.length > MAX_REPORTED ? `\n  … and ${problems.length - MAX_REPORTED} more` : '';
    throw new UserError(`${file}: ${problems.length} malformed line(s):\n  ${shown}${more}`, {
      code: 'InvalidWorkload',
      hint: 'Each line must be an OpenAI chat completion request: {"model":"phi3-mini","messages":[{"role":"user","content":"…"}]}.',
    });
  }
  if (requests.length === 0) throw new UserError(`${file} has no requests.`, { code: 'InvalidWorkload' });
  return requests;
}

function checkRequest(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not a JSON object';
  const r = v as Record<string, unknown>;
  if (!Array.isArray(r.messages) || r.messages.length === 0) return '"messages" must be a non-empty array';
  const bad = r.messages.findIndex(
    (m) => typeof m !== 'object' || m === null || typeof (m as { role?: unknown }).role !== 'string' || !('content' in m),
  );
  if (bad >= 0) return `messages[${bad}] needs a string "role" and a "content"`;
  if (r.model !== undefined && (typeof r.model !== 'string' || r.model === '')) return '"model" must be a non-empty string';
  if (r.stream !== undefined && typeof r.stream !== 'boolean') return '"stream" must be true or false';
  if (r.max_tokens !== undefined && !(Number.isInteger(r.max_tokens) && (r.max_tokens as number) > 0))
    return '"max_tokens" must be a positive integer';
  return undefined;
}

export interface JsonlOptions {
  /** Models for lines without a "model": picked by these weights. */
  mix: Array<[string, number]>;
  seed: number;
  stream: boolean;
}

export async function loadJsonlWorkload(path: string, opts: JsonlOptions): Promise<WorkloadSource> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new UserError(`Cannot read workload file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, {
      code: 'InvalidWorkload',
    });
  }
  const lines = parseJsonlWorkload(text, path);
  const pickModel = weightedPicker(createRng(opts.seed), opts.mix);
  const needsMix = lines.some((l) => l.model === undefined);
  let i = 0;
  return {
    models: () => [...new Set([...lines.flatMap((l) => (l.model ? [l.model] : [])), ...(needsMix ? opts.mix.map(([m]) => m) : [])])],
    next() {
      const line = lines[i++ % lines.length];
      const body = { ...line, model: line.model ?? pickModel() } as ChatRequest;
      if (opts.stream) Object.assign(body, { stream: true, stream_options: { include_usage: true } });
      return body;
    },
  };
}
