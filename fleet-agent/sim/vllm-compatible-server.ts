// The simulator as its own process speaking vLLM's HTTP API: /health, /v1/models,
// /v1/chat/completions, /v1/completions (streamed or not) and /metrics with vLLM's metric names.
// It stands in for `vllm serve` so the vllm adapter is tested against a real process, and it is
// the "engine called directly" baseline of the benchmark. No auth: vLLM binds to localhost.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HEADER_REQUEST_ID } from '../../contracts/headers.js';
import type { SimEngine } from '../engines/sim/sim-engine.js';
import { handleGenerate } from '../http/openai-routes.js';
import { HttpError, sendError, sendJson, sendText } from '../http/respond.js';
import { EngineRequestError } from '../engines/engine.js';

export interface SimVllmServerOptions {
  engine: SimEngine;
  host?: string;
  port?: number;
  maxBodyBytes?: number;
}

/** vLLM reports errors as {object:"error", message, type, param, code}; we copy that shape. */
function sendVllmError(
  res: import('node:http').ServerResponse,
  status: number,
  message: string,
  type: string,
  param: string | null = null,
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status, { object: 'error', message, type, param, code: status });
}

function renderVllmMetrics(engine: SimEngine, served: { prompt: number; generation: number; success: number }): string {
  const load = engine.load();
  const labels = `{model_name="${engine.model}"}`;
  const gauge = (name: string, value: number) => `# TYPE ${name} gauge\n${name}${labels} ${value}\n`;
  const counter = (name: string, value: number) => `# TYPE ${name} counter\n${name}${labels} ${value}\n`;
  return (
    gauge('vllm:num_requests_running', load.running) +
    gauge('vllm:num_requests_waiting', load.waiting) +
    gauge('vllm:gpu_cache_usage_perc', load.cacheUsage ?? 0) +
    counter('vllm:prompt_tokens_total', served.prompt) +
    counter('vllm:generation_tokens_total', served.generation) +
    counter('vllm:request_success_total', served.success)
  );
}

export async function startSimVllmServer(opts: SimVllmServerOptions): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const { engine } = opts;
  const served = { prompt: 0, generation: 0, success: 0 };
  const server: Server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/health') {
      res.writeHead(engine.status() === 'ready' ? 200 : 503).end();
      return;
    }
    if (path === '/metrics') {
      sendText(res, 200, renderVllmMetrics(engine, served));
      return;
    }
    if (path === '/v1/models') {
      sendJson(res, 200, {
        object: 'list',
        data: [{ id: engine.model, object: 'model', created: 0, owned_by: 'vllm', max_model_len: engine.contextLength }],
      });
      return;
    }
    const kind = path === '/v1/chat/completions' ? 'chat' : path === '/v1/completions' ? 'completion' : null;
    if (!kind || req.method !== 'POST') {
      sendVllmError(res, 404, 'Not Found', 'NotFoundError');
      return;
    }
    handleGenerate(kind, req, res, String(req.headers[HEADER_REQUEST_ID] ?? ''), {
      engine,
      maxBodyBytes: opts.maxBodyBytes ?? 16 * 1024 * 1024,
      defaultMaxTokens: 1 << 20,
    })
      .then((o) => {
        served.prompt += o.promptTokens;
        served.generation += o.completionTokens;
        served.success++;
      })
      .catch((err: unknown) => {
        if (res.destroyed) return;
        if (err instanceof HttpError)
          sendVllmError(res, err.status, err.message, err.status === 404 ? 'NotFoundError' : 'BadRequestError', err.param);
        else if (err instanceof EngineRequestError) sendVllmError(res, err.status, err.message, 'ServiceUnavailableError');
        else sendError(res, new HttpError(500, String(err), 'server_error'));
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
