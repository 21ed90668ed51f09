// Yields the `data:` payloads of a server-sent-events response until `[DONE]`.
import type { IncomingMessage } from 'node:http';

export async function* readSse(res: IncomingMessage, signal: AbortSignal): AsyncGenerator<string> {
  let buffer = '';
  res.setEncoding('utf8');
  for await (const chunk of res as AsyncIterable<string>) {
    if (signal.aborted) throw signal.reason;
    buffer += chunk;
    for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      for (const line of event.split('\n')) {
        if (!line.startsWith('data:')) continue;
        const data = line.slice(5).trim();
        if (data === '[DONE]') return;
        yield data;
      }
    }
  }
  if (signal.aborted) throw signal.reason;
}
