// The request as the gateway's handler and its steps read it: the part of a web Request they
// use. Its own module so the handler and the steps it calls (trust, body reading, chat
// completions) all import it without importing each other.
import type { CancelSignal } from './agent-call.js';

/** Request headers as the handler reads them; a web Headers object is one. */
export interface HeaderReader {
  get(name: string): string | null;
}

/** The subset of a web Request the handler uses. Any web Request is one. */
export interface GatewayRequest {
  readonly method: string;
  /** Absolute URL; only the path and query are used. */
  readonly url: string;
  readonly headers: HeaderReader;
  /** Aborts when the client goes away. */
  readonly signal?: CancelSignal;
  readonly body?: ReadableStream<Uint8Array> | null;
  /** The whole body, when the host has already read it (then `body` is not read). */
  readonly bufferedBody?: Buffer;
  /**
   * Reads the whole body under the cap, when the host reads it itself (node:http): only called
   * once the caller is authenticated, so a stranger's upload is never waited for.
   */
  readonly readBody?: (maxBytes: number) => Promise<Buffer>;
  /** Told once the caller is authenticated (the host stops counting the connection as a stranger's). */
  readonly authenticated?: () => void;
}
