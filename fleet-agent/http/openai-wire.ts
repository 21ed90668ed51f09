// OpenAI's wire format for one generation: the whole chat.completion / text_completion body, and
// the SSE stream (`data: {json}\n\n` chunks, `data: [DONE]`, usage in a final empty-choices chunk
// when stream_options.include_usage is set). Tool calls stream as OpenAI streams them: the first
// chunk of a call carries its index, id, type and function name with empty arguments, the
// following chunks carry argument pieces under the same index, and the last has finish_reason
// "tool_calls"; an answer that is only tool calls has `content: null`.
import type { ServerResponse } from 'node:http';
import { errorTypeForStatus, openAIErrorJson } from '../../contracts/openai-error.js';
import { EngineRequestError, type Engine, type FinishReason } from '../engines/engine.js';

export type Usage = { prompt_tokens: number; completion_tokens: number; total_tokens: number };
export type Ids = { id: string; created: number };
export interface ToolCallOut {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export function completionBody(
  kind: 'chat' | 'completion',
  engine: Engine,
  ids: Ids,
  text: string,
  calls: ToolCallOut[],
  finish: FinishReason,
  usage: Usage,
) {
  const base = { id: ids.id, created: ids.created, model: engine.model, system_fingerprint: engine.fingerprint };
  if (kind === 'chat') {
    const message = calls.length
      ? { role: 'assistant', content: text || null, tool_calls: calls, refusal: null }
      : { role: 'assistant', content: text, refusal: null };
    return { ...base, object: 'chat.completion', choices: [{ index: 0, message, logprobs: null, finish_reason: finish }], usage };
  }
  return { ...base, object: 'text_completion', choices: [{ index: 0, text, logprobs: null, finish_reason: finish }], usage };
}

/** Writes one OpenAI stream. Writes are corked per tick so a burst of tokens is one syscall. */
export class SseWriter {
  private corked = false;
  private opened = false;
  private completionTokens = 0;
  private readonly base: Record<string, unknown>;
  constructor(
    private readonly res: ServerResponse,
    private readonly kind: 'chat' | 'completion',
    engine: Engine,
    ids: Ids,
    private readonly includeUsage: boolean,
    headers: Record<string, string>,
    /** vLLM's continuous usage: running counts on every chunk (the sim's vLLM server). */
    private readonly continuous: { promptTokens: number } | null = null,
  ) {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      ...headers,
    });
    this.base = {
      id: ids.id,
      object: kind === 'chat' ? 'chat.completion.chunk' : 'text_completion',
      created: ids.created,
      model: engine.model,
      system_fingerprint: engine.fingerprint,
    };
  }
  /** The role chunk opens a chat stream: with content "" before text, with the first call's header before tool calls. */
  private open(first?: Record<string, unknown>): void {
    if (this.opened || this.kind !== 'chat') return;
    this.opened = true;
    this.send(this.chunk(first ?? { role: 'assistant', content: '' }, null));
  }
  text(text: string): void {
    this.completionTokens++;
    this.open();
    this.send(this.kind === 'chat' ? this.chunk({ content: text }, null) : this.chunk(text, null));
  }
  toolCall(index: number, id: string, name: string): void {
    const call = { tool_calls: [{ index, id, type: 'function', function: { name, arguments: '' } }] };
    if (!this.opened) this.open({ role: 'assistant', content: null, ...call, refusal: null });
    else this.send(this.chunk(call, null));
  }
  toolArguments(index: number, text: string): void {
    this.send(this.chunk({ tool_calls: [{ index, function: { arguments: text } }] }, null));
  }
  finish(reason: FinishReason, usage: Usage): void {
    this.open();
    this.send(this.kind === 'chat' ? this.chunk({}, reason) : this.chunk('', reason));
    if (this.includeUsage) this.send({ ...this.base, choices: [], usage });
    this.res.end('data: [DONE]\n\n');
  }
  error(err: unknown): void {
    const status = err instanceof EngineRequestError ? err.status : 500;
    this.write(
      `data: ${openAIErrorJson({ message: err instanceof Error ? err.message : String(err), type: errorTypeForStatus(status) })}\n\n`,
    );
    this.res.end();
  }
  private chunk(deltaOrText: Record<string, unknown> | string, finish: FinishReason | null): Record<string, unknown> {
    const choice =
      typeof deltaOrText === 'string'
        ? { index: 0, text: deltaOrText, logprobs: null, finish_reason: finish }
        : { index: 0, delta: deltaOrText, logprobs: null, finish_reason: finish };
    if (!this.includeUsage) return { ...this.base, choices: [choice] };
    return { ...this.base, choices: [choice], usage: this.continuous ? this.runningUsage() : null };
  }
  private runningUsage(): Usage {
    const prompt = this.continuous?.promptTokens ?? 0;
    return { prompt_tokens: prompt, completion_tokens: this.completionTokens, total_tokens: prompt + this.completionTokens };
  }
  private send(obj: unknown): void {
    this.write(`data: ${JSON.stringify(obj)}\n\n`);
  }
  private write(s: string): void {
    if (!this.corked) {
      this.corked = true;
      this.res.cork();
      process.nextTick(() => {
        this.corked = false;
        this.res.uncork();
      });
    }
    this.res.write(s);
  }
}
