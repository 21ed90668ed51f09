// `gpuarb loadtest`: open-loop load against a stack's OpenAI API, with latency percentiles,
// throughput, error and cache-hit rates, availability, chaos events and an SLO gate (exit 16).
// Everything heavy (the generator, Ink, the Azure SDK) is imported inside run.
import { defineCommand, opt } from '../core/command.js';
import { ExitCode } from '../core/exit-codes.js';
// Light: the table renderer imports only formatting and the SLO parser.
import { renderReportText } from '../loadtest/render-text.js';
import type { LoadtestResult } from '../loadtest/run-loadtest.js';

export const loadtestCommand = defineCommand({
  name: 'loadtest',
  summary: 'Load-test a stack: latency percentiles, throughput, errors, cache hits, availability, SLO gate',
  description:
    'Sends OpenAI chat completions to a stack at a Poisson rate (open loop, no coordinated omission) or with fixed concurrency, ' +
    'and reports latency p50–p99, requests/min, tokens/s, errors by class, cache hit rate and availability, overall and per model. ' +
    `With --slo, exits ${ExitCode.sloMissed} naming each missed objective. See docs/loadtest.md.`,
  examples: [
    'GPUARB_API_KEY=… gpuarb loadtest --url https://apim-acme.azure-api.net/v1 --rate 5 --duration 2m',
    'gpuarb loadtest --local --rate 20 --duration 60s --slo "p95<5s,errors<1%,cache>40%,rpm>100"',
    'gpuarb loadtest --url $URL --key-file customer.key --concurrency 16 --duration 30s --model phi3-mini --stream --out report.html',
    'gpuarb loadtest --local --rate 10 --duration 5m --evict-every 30s --json > report.json',
  ],
  options: {
    local: opt.flag('--local', 'target the local platform (`gpuarb up --local`)'),
    url: opt.text('--url <url>', 'the OpenAI base URL of the stack, ending in /v1'),
    key: opt.text('--key <key>', 'refused: a key on the command line is readable by every local user; use GPUARB_API_KEY or --key-file'),
    keyFile: opt.text('--key-file <file>', 'read the customer key (sent as Authorization: Bearer) from FILE; default: $GPUARB_API_KEY'),
    rate: opt.text('--rate <r>', 'open loop: Poisson arrivals at R requests/s'),
    concurrency: opt.text('--concurrency <c>', 'closed loop: C requests in flight at all times'),
    duration: opt.text('--duration <d>', 'how long to send load, e.g. 60s, 5m'),
    model: opt.text('--model <m>', 'send every request to this model'),
    mix: opt.text('--mix <mix>', 'model shares (default phi3-mini=70,mixtral-8x7b=20,llama3-70b=10)'),
    workload: opt.text('--workload <w>', '"builtin" (default) or a JSONL file of OpenAI chat requests'),
    repeat: opt.text('--repeat <p>', 'share of exact repeats in the built-in workload (default 50%)'),
    stream: opt.flag('--stream', 'stream answers (adds time to first token and per output token)'),
    slo: opt.text(
      '--slo <objectives>',
      `e.g. "p95<5s,errors<1%,cache>40%,rpm>100,availability>99.9%"; exit ${ExitCode.sloMissed} if missed`,
    ),
    timeout: opt.text('--timeout <t>', 'per-request timeout (default 60s)'),
    out: opt.text('--out <file>', 'also write the report to FILE.html (self-contained) or FILE.json'),
    evictEvery: opt.text('--evict-every <t>', 'chaos: evict a random Spot VM of the stack every T (simulateEviction)'),
    rotateSecretAt: opt.text('--rotate-secret-at <t>', 'chaos: rotate the customer-facing secret T into the run'),
    seed: opt.text('--seed <n>', 'seed for the workload and the arrival times (default 1)'),
    connections: opt.text('--connections <n>', 'most open connections (default 512; more requests queue, and the wait counts)'),
  },
  async run(ctx, opts): Promise<LoadtestResult> {
    const { resolvePlan } = await import('../loadtest/plan.js');
    const { loadtestKey } = await import('../loadtest/key-input.js');
    const plan = resolvePlan({ ...opts, key: await loadtestKey(ctx, opts) });
    const { runLoadtest } = await import('../loadtest/run-loadtest.js');
    const result = await runLoadtest(ctx, plan);
    if (result.slo && !result.slo.passed) {
      // On stderr in every mode (--json too), so a CI log names what failed the gate.
      const { describeResult } = await import('../loadtest/slo.js');
      ctx.io.warn(
        `SLO missed (exit ${ExitCode.sloMissed}): ${result.slo.objectives
          .filter((o) => !o.met)
          .map(describeResult)
          .join(', ')}`,
      );
    }
    return result;
  },
  render(ctx, result) {
    ctx.io.out(renderReportText(result));
    if (result.reportFile) ctx.io.info(`report written to ${result.reportFile}`);
    const t = result.throughput;
    if (t.file)
      ctx.io.info(
        `throughput recorded for pool${t.records.length === 1 ? '' : 's'} ${t.records.map((r) => r.pool).join(', ')} in ${t.file} (gpuarb cost reads it)`,
      );
    // Beside a record, what was left out matters; with no record at all (a --url run against some
    // other endpoint, no gpuarb.yaml here) the reason is for --verbose only.
    for (const why of t.skipped) {
      if (t.file) ctx.io.info(why);
      else ctx.logger.debug(why);
    }
  },
  exitCode(result) {
    return result.slo && !result.slo.passed ? ExitCode.sloMissed : ExitCode.ok;
  },
});
