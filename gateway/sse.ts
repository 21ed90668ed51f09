// Server-sent events for chat completions: replaying a stored completion as a stream (cache
// hits on streamed requests), and rebuilding a completion from a relayed stream (so a streamed
// miss can fill the cache for both kinds of request).

interface ToolCall {
  index?: number;
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: string };
}

/** A tool call as the builder accumulates it: its function pieces are concatenated onto these. */
interface BuiltToolCall {
  id?: string;
  type: string;
  function: { name: string; arguments: string };
}

interface Completion {
  id?: string;
  created?: number;
  model?: string;
  system_fingerprint?: string | null;
  choices?: {
    index?: number;
    message?: { role?: string; content?: string | null; tool_calls?: ToolCall[]; refusal?: string | null };
    finish_reason?: string | null;
    logprobs?: unknown;
  }[];
  usage?: unknown;
}

const SSE_DONE = 'data: [DONE]\n\n';

function event(obj: unknown): string {
  return `data: ${JSON.stringify(obj)}\n\n`;
}

/** A stored chat.completion as the chunk stream a live request would have produced. */
export function completionToSse(body: Buffer, includeUsage: boolean): Buffer {
  const c = JSON.parse(body.toString()) as Completion;
  const base = {
    id: c.id,
    object: 'chat.completion.chunk',
    created: c.created,
    model: c.model,
    system_fingerprint: c.system_fingerprint ?? null,
  };
  let out = '';
  for (const [i, choice] of (c.choices ?? []).entries()) {
    const index = choice.index ?? i;
    const msg = choice.message ?? {};
    out += event({
      ...base,
      choices: [{ index, delta: { role: msg.role ?? 'assistant', content: '' }, logprobs: null, finish_reason: null }],
    });
    if (msg.content) out += event({ ...base, choices: [{ index, delta: { content: msg.content }, logprobs: null, finish_reason: null }] });
    if (msg.tool_calls?.length) {
      const tool_calls = msg.tool_calls.map((t, k) => ({ index: k, id: t.id, type: t.type ?? 'function', function: t.function }));
      out += event({ ...base, choices: [{ index, delta: { tool_calls }, logprobs: null, finish_reason: null }] });
    }
    out += event({ ...base, choices: [{ index, delta: {}, logprobs: null, finish_reason: choice.finish_reason ?? 'stop' }] });
  }
  if (includeUsage && c.usage) out += event({ ...base, choices: [], usage: c.usage });
  return Buffer.from(out + SSE_DONE);
}

/** Accumulates chunk deltas into the completion they amount to. */
export class CompletionBuilder {
  private id?: string;
  private created?: number;
  private model?: string;
  private fingerprint: string | null = null;
  private content = '';
  private hasContent = false;
  private tools: BuiltToolCall[] = [];
  private finish: string | null = null;
  usage: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number } | undefined;
  /** Chunks that carried generated text or tool-call pieces: the delivered-token estimate. */
  deltaChunks = 0;
  /** False once a chunk shows something we do not rebuild (several choices, logprobs): do not cache. */
  cacheable = true;

  add(chunk: Record<string, unknown>): void {
    this.id ??= chunk.id as string;
    this.created ??= chunk.created as number;
    this.model ??= chunk.model as string;
    if (typeof chunk.system_fingerprint === 'string') this.fingerprint = chunk.system_fingerprint;
    if (chunk.usage && typeof chunk.usage === 'object') this.usage = chunk.usage as CompletionBuilder['usage'];
    const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
    for (const ch of choices as {
      index?: number;
      delta?: { content?: string | null; tool_calls?: ToolCall[] };
      finish_reason?: string | null;
      logprobs?: unknown;
    }[]) {
      if ((ch.index ?? 0) !== 0 || (ch.logprobs !== undefined && ch.logprobs !== null)) this.cacheable = false;
      const d = ch.delta ?? {};
      if (typeof d.content === 'string' && d.content.length) {
        this.content += d.content;
        this.hasContent = true;
        this.deltaChunks++;
      }
      for (const t of d.tool_calls ?? []) {
        const k = t.index ?? 0;
        let cur = this.tools[k];
        if (!cur) {
          cur = { id: t.id, type: t.type ?? 'function', function: { name: '', arguments: '' } };
          this.tools[k] = cur;
        }
        if (t.id) cur.id = t.id;
        if (t.function?.name) cur.function.name += t.function.name;
        if (t.function?.arguments) cur.function.arguments += t.function.arguments;
        this.deltaChunks++;
      }
      if (ch.finish_reason) this.finish = ch.finish_reason;
    }
  }

  toCompletion(): Buffer {
    const message: Record<string, unknown> = { role: 'assistant', content: this.hasContent || !this.tools.length ? this.content : null };
    if (this.tools.length) message.tool_calls = this.tools.map((t) => ({ id: t.id, type: t.type, function: t.function }));
    return Buffer.from(
      JSON.stringify({
        id: this.id,
        object: 'chat.completion',
        created: this.created,
        model: this.model,
        system_fingerprint: this.fingerprint,
        choices: [{ index: 0, message, logprobs: null, finish_reason: this.finish ?? 'stop' }],
        usage: this.usage ?? null,
      }),
    );
  }
}
