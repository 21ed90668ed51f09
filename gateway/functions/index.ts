// The gateway as an Azure Functions v4 app (Flex Consumption, HTTP streaming on). One catch-all
// HTTP function hands every request to the same core handler as the standalone server; a queue
// trigger runs async jobs. Configuration comes from app settings: GPUARB_GATEWAY_CONFIG holds the
// JSON config (same format as the --config file) and GPUARB_GATEWAY_* override single fields.
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { parseGatewayConfig } from '../config-load.js';
import { createGateway, type Gateway } from '../gateway.js';
import { createLogger } from '../log.js';
import { initTelemetry } from '../telemetry.js';
import { clientGoneSignal, endWhenClientGone, watchClientDisconnects } from './client-disconnect.js';

app.setup({ enableHttpStream: true });
watchClientDisconnects();

let instance: Promise<Gateway> | undefined;

/** One gateway per worker process, built on first use (a failed build is retried next time). */
function gateway(): Promise<Gateway> {
  instance ??= (async () => {
    const cfg = parseGatewayConfig(JSON.parse(process.env.GPUARB_GATEWAY_CONFIG || '{}'), process.env, 'app setting GPUARB_GATEWAY_CONFIG');
    const log = createLogger(cfg.telemetry.logLevel);
    await initTelemetry(cfg.telemetry.appInsightsConnectionString, log);
    const g = await createGateway(cfg, { log });
    await g.start({ worker: false }); // jobs arrive through the queue trigger below
    return g;
  })().catch((err) => {
    instance = undefined;
    throw err;
  });
  return instance;
}

app.http('gateway', {
  route: '{*path}',
  methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'],
  authLevel: 'anonymous', // API Management in front; the handler checks the backend secret
  handler: async (req: HttpRequest, ctx: InvocationContext): Promise<HttpResponseInit> => {
    const g = await gateway();
    // The client's disconnect, which the library does not pass on: it cancels the agent call
    // before the answer (the request's signal) and the relay after it (the body below).
    const clientGone = clientGoneSignal(ctx.invocationId);
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const request = new Request(req.url, {
      method: req.method,
      headers: req.headers as unknown as Headers,
      body: hasBody ? (req.body as ReadableStream<Uint8Array> | null) : null,
      signal: clientGone,
      ...(hasBody ? { duplex: 'half' } : {}),
    } as RequestInit);
    const res = await g.handle(request);
    // Bytes the handler already holds go out as they are; the app model streams a web
    // ReadableStream body (enableHttpStream) without buffering it.
    const body = Buffer.isBuffer(res.body) ? res.body : endWhenClientGone(res.body, clientGone);
    return { status: res.status, headers: res.headers, body: body as HttpResponseInit['body'] };
  },
});

// The queue trigger delivers each job message; the worker claims the job in Cosmos (ETag),
// runs it and records the outcome. Its own queue calls use the trigger's pop receipt.
app.storageQueue('jobs', {
  queueName: '%GPUARB_GATEWAY_JOBS_QUEUE%',
  connection: 'GPUARB_GATEWAY_STORAGE',
  handler: async (message: unknown, ctx: InvocationContext) => {
    const g = await gateway();
    if (!g.worker) throw new Error('jobs are not configured (storage missing from the gateway config)');
    const meta = ctx.triggerMetadata ?? {};
    const text = typeof message === 'string' ? message : JSON.stringify(message);
    await g.worker.handle(String(meta.id ?? ''), String(meta.popReceipt ?? ''), text);
  },
});
