// Relays an agent's SSE answer to the client as a web ReadableStream, event by event, while
// rebuilding the completion (for the cache) and counting what was delivered (for metering).
// If the agent breaks off after bytes reached the client, the stream ends with an error event
// (OpenAI's shape) instead of [DONE]: the client can tell a cut answer from a finished one.
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { UpstreamError } from './upstream-error.js';
import { openAIErrorJson } from '../contracts/openai-error.js';
import { CompletionBuilder } from './sse.js';

export interface RelayOutcome {
  /** The agent finished with [DONE] and the client took everything. */
  completed: boolean;
  clientGone: boolean;
  builder: CompletionBuilder;
  error?: string;
}

/**
 * Waits for the agent's first bytes: until then nothing has reached the client, so a failure is
 * retryable on another replica. A timeout is not (the agent may still be working: that is a 504).
 */
export function waitFirstChunk(res: Readable, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const done = (fn: () => void) => {
      clearTimeout(timer);
      res.off('data', onData).off('end', onEnd).off('error', onEnd);
      fn();
    };
    const onData = (c: Buffer) =>
      done(() => {
        res.pause();
        resolve(c);
      });
    const onEnd = () => done(() => reject(new UpstreamError('reset', 'agent closed the stream before its first event', true)));
    const timer = setTimeout(
      () =>
        done(() => {
          res.destroy();
          reject(new UpstreamError('timeout', `no stream event within ${timeoutMs} ms`, false));
        }),
      timeoutMs,
    );
    res.on('data', onData).on('end', onEnd).on('error', onEnd);
  });
}

export interface RelayOptions {
  idleMs: number;
  /** The client asked for the usage chunk; otherwise the one the gateway requested is dropped. */
  clientWantsUsage: boolean;
  onDone(outcome: RelayOutcome): void;
}

export function relayStream(res: Readable, first: Buffer, opts: RelayOptions): ReadableStream<Uint8Array> {
  const builder = new CompletionBuilder();
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let sawDone = false;
  let finished = false;
  let timer: NodeJS.Timeout | undefined;
  let controller!: ReadableStreamDefaultController<Uint8Array>;

  const finish = (outcome: Omit<RelayOutcome, 'builder'>) => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    res.off('data', onData);
    opts.onDone({ ...outcome, builder });
  };

  // Splits complete events off `pending`; returns the bytes to forward.
  const takeEvents = (): string => {
    let out = '';
    for (let cut = pending.indexOf('\n\n'); cut >= 0; cut = pending.indexOf('\n\n')) {
      const raw = pending.slice(0, cut);
      pending = pending.slice(cut + 2);
      const data = raw
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart())
        .join('\n');
      if (data === '[DONE]') sawDone = true;
      else if (data) {
        try {
          const chunk = JSON.parse(data) as Record<string, unknown>;
          builder.add(chunk);
          const usageOnly = Array.isArray(chunk.choices) && chunk.choices.length === 0 && chunk.usage;
          if (usageOnly && !opts.clientWantsUsage) continue;
        } catch {
          builder.cacheable = false; // not JSON: relay it, but never cache what we cannot read
        }
      }
      out += `${raw}\n\n`;
    }
    return out;
  };

  const push = (chunk: Buffer) => {
    pending += decoder.write(chunk).replace(/\r\n/g, '\n');
    const out = takeEvents();
    if (out) controller.enqueue(Buffer.from(out));
    if ((controller.desiredSize ?? 1) <= 0) res.pause();
  };

  const broken = (why: string) => {
    if (finished) return;
    controller.enqueue(
      Buffer.from(
        `data: ${openAIErrorJson({ message: `the answer was cut off: ${why}`, type: 'server_error', code: 'upstream_broken' })}\n\n`,
      ),
    );
    controller.close();
    finish({ completed: false, clientGone: false, error: why });
  };

  const onData = (c: Buffer) => {
    timer?.refresh();
    push(c);
  };

  return new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      timer = setTimeout(() => {
        res.destroy();
        broken(`agent silent for ${opts.idleMs} ms`);
      }, opts.idleMs);
      push(first);
      res.on('data', onData);
      res.once('end', () => {
        if (finished) return;
        pending += decoder.end();
        if (pending.trim()) pending += '\n\n';
        const out = takeEvents();
        if (out) controller.enqueue(Buffer.from(out));
        if (!sawDone) return broken('the agent closed the stream early');
        controller.close();
        finish({ completed: true, clientGone: false });
      });
      res.once('error', (e) => broken(e.message));
      res.resume();
    },
    pull() {
      res.resume();
    },
    cancel() {
      res.destroy();
      finish({ completed: false, clientGone: true, error: 'client went away' });
    },
  });
}
