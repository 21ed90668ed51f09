// `gpuarb-agent sim-vllm serve <model> [vllm flags…]`: accepts the flags the vllm adapter passes
// to `vllm serve` and serves the simulator instead. Flags it does not model are accepted and
// ignored, as a drop-in must; --dtype is checked against the GPU as vLLM checks it. Sim-only
// flags: --sim-gpu (profile), --sim-load-ms (load time).
import { SimEngine } from '../engines/sim/sim-engine.js';
import type { SimGpu } from '../engines/sim/profiles.js';
import { startSimVllmServer } from './vllm-compatible-server.js';
import { dtypeRefusal, resolveDtype } from './vllm-dtype-check.js';

function parseVllmArgs(argv: string[]): { model: string; flags: Map<string, string> } {
  const args = argv[0] === 'serve' ? argv.slice(1) : argv;
  const flags = new Map<string, string>();
  let model = '';
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq !== -1) flags.set(a.slice(2, eq), a.slice(eq + 1));
      else if (i + 1 < args.length && !args[i + 1].startsWith('--')) flags.set(a.slice(2), args[++i]);
      else flags.set(a.slice(2), 'true');
    } else if (!model) model = a;
  }
  return { model, flags };
}

export async function runSimVllmCli(argv: string[]): Promise<void> {
  const { model, flags } = parseVllmArgs(argv);
  const served = flags.get('served-model-name') ?? model;
  if (!served) throw new Error('sim-vllm: a model is required (vllm serve <model>)');
  const gpu = (flags.get('sim-gpu') ?? process.env.GPUARB_SIM_GPU ?? 'none') as SimGpu;
  const refusal = dtypeRefusal(resolveDtype(flags.get('dtype'), model), gpu);
  if (refusal) {
    // vLLM raises this while it initialises the worker and the process exits non-zero.
    process.stderr.write(`ValueError: ${refusal}\n`);
    process.exitCode = 1;
    return;
  }
  const engine = new SimEngine({
    model: served,
    gpu,
    loadMs: Number(flags.get('sim-load-ms') ?? 0),
    overrides: flags.has('max-model-len') ? { contextLength: Number(flags.get('max-model-len')) } : {},
  });
  const server = await startSimVllmServer({ engine, host: flags.get('host') ?? '127.0.0.1', port: Number(flags.get('port') ?? 8000) });
  await engine.start();
  process.stdout.write(
    `${JSON.stringify({ level: 'info', msg: 'sim-vllm listening', url: server.url, model: served, simulated: true })}\n`,
  );
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
