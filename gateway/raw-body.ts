// A side channel for bodies we already hold in memory. A web Response built from a Buffer
// hides it behind a ReadableStream; the node:http host would have to pull it back out chunk
// by chunk. Responses made here remember their bytes so that host writes them in one call
// (the cache-hit path is mostly this). Hosts that do not know the trick just read the body.
const rawBodies = new WeakMap<Response, Buffer>();
const rawRequestBodies = new WeakMap<Request, Buffer>();

export function bufferResponse(status: number, body: Buffer, headers: Record<string, string>): Response {
  const res = new Response(body as unknown as BodyInit, { status, headers });
  rawBodies.set(res, body);
  return res;
}

export function rawBodyOf(res: Response): Buffer | undefined {
  return rawBodies.get(res);
}

/** A host that already buffered the request body attaches it here instead of re-streaming it. */
export function attachRequestBody(req: Request, body: Buffer): Request {
  rawRequestBodies.set(req, body);
  return req;
}

export function attachedRequestBody(req: Request): Buffer | undefined {
  return rawRequestBodies.get(req);
}
