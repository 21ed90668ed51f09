// Answers whose bytes the gateway already holds (the agent's buffered answer, a cache hit, an
// error). A web Response built from a Buffer wraps it in a ReadableStream at once, which costs
// more than everything else on the cache-hit path; a BufferedResponse keeps the bytes and makes
// the stream only if a consumer asks for one. Both hosts write rawBodyOf(res) in one call; any
// other consumer (tests, a host that does not know the trick) sees an ordinary Response.
export class BufferedResponse extends Response {
  readonly #bytes: Buffer;
  #full: Response | undefined;

  constructor(status: number, bytes: Buffer, headers: Record<string, string>) {
    super(null, { status, headers });
    this.#bytes = bytes;
  }

  static bytesOf(res: Response): Buffer | undefined {
    return #bytes in res ? res.#bytes : undefined;
  }

  /** The same bytes as a standard Response, made on first use of any body accessor. */
  #materialized(): Response {
    this.#full ??= new Response(this.#bytes as unknown as BodyInit, { status: this.status, headers: this.headers });
    return this.#full;
  }

  override get body(): Response['body'] {
    return this.#materialized().body;
  }
  override get bodyUsed(): boolean {
    return this.#full?.bodyUsed ?? false;
  }
  override arrayBuffer(): Promise<ArrayBuffer> {
    return this.#materialized().arrayBuffer();
  }
  override blob(): Promise<Blob> {
    return this.#materialized().blob();
  }
  override formData(): Promise<FormData> {
    return this.#materialized().formData();
  }
  override json(): Promise<unknown> {
    return this.#materialized().json();
  }
  override text(): Promise<string> {
    return this.#materialized().text();
  }
  override clone(): Response {
    const headers: Record<string, string> = {};
    this.headers.forEach((v, k) => (headers[k] = v));
    return new BufferedResponse(this.status, this.#bytes, headers);
  }
}

export function bufferResponse(status: number, body: Buffer, headers: Record<string, string>): Response {
  return new BufferedResponse(status, body, headers);
}

/** The bytes of an answer made by bufferResponse (undefined for a streamed answer). */
export function rawBodyOf(res: Response): Buffer | undefined {
  return BufferedResponse.bytesOf(res);
}
