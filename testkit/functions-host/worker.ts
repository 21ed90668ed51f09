// A Functions host for one Node worker, for tests: loads gateway/functions/index.ts with the real
// @azure/functions library and drives it as the Azure Functions host does with HTTP streams on.
// There is no `func` host here, so this process plays the two parts the library does not own:
// - the worker's core API (`@azure/functions-core`, which the Node worker injects by hooking
//   require): it collects the registered functions and the programming model;
// - the host: at start it asks the model for its capabilities, which starts the library's HTTP
//   proxy (`HttpUri`); for each client request it forwards the request to that proxy with the
//   `x-ms-invocation-id` header (DefaultHttpProxyService in azure-functions-host, through YARP's
//   forwarder), runs the invocation (arguments, handler, response), and relays the proxy's answer.
//   When its client goes away it cancels the forwarded request, as YARP does with
//   HttpContext.RequestAborted.
// Prints `listening <url>` on stdout once it serves. Config: GPUARB_GATEWAY_CONFIG, as in Azure.
import { randomUUID } from 'node:crypto';
import { createServer, request as forward, type IncomingMessage, type ServerResponse } from 'node:http';
import Module from 'node:module';
import type { AddressInfo } from 'node:net';

interface Binding {
  type: string;
  direction: string;
}
interface Registered {
  metadata: { name: string; bindings: Record<string, Binding> };
  callback: (...args: unknown[]) => unknown;
}
interface InvocationModel {
  getArguments(): Promise<{ context: unknown; inputs: unknown[] }>;
  invokeFunction(context: unknown, inputs: unknown[], handler: Registered['callback']): Promise<unknown>;
  getResponse(context: unknown, result: unknown): Promise<unknown>;
}
interface ProgrammingModel {
  getCapabilities(capabilities: Record<string, string>): Promise<Record<string, string>>;
  getInvocationModel(coreCtx: unknown): InvocationModel;
}

const functions = new Map<string, Registered>();
let model: ProgrammingModel | undefined;
const disposable = { dispose() {} };
const coreApi = {
  version: '3.10.1',
  hostVersion: '4.1037.0',
  setProgrammingModel: (m: ProgrammingModel) => {
    model = m;
  },
  getProgrammingModel: () => model,
  registerFunction: (metadata: Registered['metadata'], callback: Registered['callback']) => {
    functions.set(metadata.name, { metadata, callback });
    return disposable;
  },
  registerHook: () => disposable,
  log: (level: string, _category: string, message: string) => {
    if (level === 'error' || level === 'critical') process.stderr.write(`worker: ${message}\n`);
  },
  Disposable: class {
    dispose() {}
  },
};
const moduleProto = Module.prototype as unknown as { require: (id: string) => unknown };
const originalRequire = moduleProto.require;
moduleProto.require = function (this: unknown, id: string) {
  return id === '@azure/functions-core' ? coreApi : originalRequire.call(this, id);
};

await import('../../gateway/functions/index.js');
if (!model) throw new Error('the app registered no programming model');
const programmingModel: ProgrammingModel = model;
const proxyUri = new URL((await programmingModel.getCapabilities({})).HttpUri ?? '');
const gateway = functions.get('gateway');
if (!gateway) throw new Error('the app registered no "gateway" function');
const triggerName = Object.entries(gateway.metadata.bindings).find(([, b]) => b.type === 'httpTrigger')?.[0] ?? '';

async function invoke(invocationId: string, req: IncomingMessage): Promise<void> {
  const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
  const coreCtx = {
    invocationId,
    metadata: gateway?.metadata,
    state: undefined,
    log: coreApi.log,
    request: {
      invocationId,
      functionId: 'gateway',
      inputData: [{ name: triggerName, data: { http: {} } }],
      triggerMetadata: { Headers: { json: JSON.stringify(headers) }, path: { string: (req.url ?? '/').slice(1) } },
    },
  };
  const invocation = programmingModel.getInvocationModel(coreCtx);
  const { context, inputs } = await invocation.getArguments();
  const result = await invocation.invokeFunction(context, inputs, gateway?.callback ?? (() => undefined));
  await invocation.getResponse(context, result);
}

function serve(req: IncomingMessage, res: ServerResponse): void {
  const invocationId = randomUUID();
  const upstream = forward(
    {
      host: proxyUri.hostname,
      port: proxyUri.port,
      path: req.url,
      method: req.method,
      headers: {
        ...req.headers,
        'x-ms-invocation-id': invocationId,
        'x-forwarded-host': req.headers.host ?? 'localhost',
        'x-forwarded-proto': 'http',
      },
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => res.destroy());
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy(); // the client went away: cancel the forwarded request
  });
  req.pipe(upstream);
  invoke(invocationId, req).catch((err: unknown) => {
    process.stderr.write(`invocation ${invocationId} failed: ${err instanceof Error ? err.message : String(err)}\n`);
  });
}

const server = createServer(serve);
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
