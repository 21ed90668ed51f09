// `gpuarb loadtest`: open-loop load against a stack's OpenAI API, with latency percentiles,
// throughput, error and cache-hit rates, availability, chaos events and an SLO gate (exit 16).
// Everything heavy (the generator, Ink, the Azure SDK) is imported inside run.
import { z } from 'zod';
import { defineCommand } from '../core/command.js';
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
    'gpuarb loadtest --url https://apim-acme.azure-api.net/v1 --key $KEY --rate 5 --duration 2m',
    'gpuarb loadtest --local --rate 20 --duration 60s --slo "p95<5s,errors<1%,cache>40%,rpm>100"',
    'gpuarb loadtest --url $URL --key $KEY --concurrency 16 --duration 30s --model phi3-mini --stream --out report.html',
    'gpuarb loadtest --local --rate 10 --duration 5m --evict-every 30s --json > report.json',
  ],
  options: [
    { flags: '--local', description: 'target the local platform (`gpuarb up --local`)' },
    { flags: '--url <url>', description: 'the OpenAI base URL of the stack, ending in /v1' },
    { flags: '--key <key>', description: 'a customer key (sent as Authorization: Bearer)' },
    { flags: '--rate <r>', description: 'open loop: Poisson arrivals at R requests/s' },
    { flags: '--concurrency <c>', description: 'closed loop: C requests in flight at all times' },
    { flags: '--duration <d>', description: 'how long to send load, e.g. 60s, 5m' },
    { flags: '--model <m>', description: 'send every request to this model' },
    { flags: '--mix <mix>', description: 'model shares (default phi3-mini=70,mixtral-8x7b=20,llama3-70b=10)' },
    { flags: '--workload <w>', description: '"builtin" (default) or a JSONL file of OpenAI chat requests' },
    { flags: '--repeat <p>', description: 'share of exact repeats in the built-in workload (default 50%)' },
    { flags: '--stream', description: 'stream answers (adds time to first token and per output token)' },
    {
      flags: '--slo <objectives>',
      description: `e.g. "p95<5s,errors<1%,cache>40%,rpm>100,availability>99.9%"; exit ${ExitCode.sloMissed} if missed`,
    },
    { flags: '--timeout <t>', description: 'per-request timeout (default 60s)' },
    { flags: '--out <file>', description: 'also write the report to FILE.html (self-contained) or FILE.json' },
    { flags: '--evict-every <t>', description: 'chaos: evict a random Spot VM of the stack every T (simulateEviction)' },
    { flags: '--rotate-secret-at <t>', description: 'chaos: rotate the customer-facing secret T into the run' },
    { flags: '--seed <n>', description: 'seed for the workload and the arrival times (default 1)' },
    { flags: '--connections <n>', description: 'most open connections (default 512; more requests queue, and the wait counts)' },
  ],
  schema: z
    .object({
      local: z.boolean().optional(),
      url: z.string().optional(),
      key: z.string().optional(),
      rate: z.string().optional(),
      concurrency: z.string().optional(),
      duration: z.string().optional(),
      model: z.string().optional(),
      mix: z.string().optional(),
      workload: z.string().optional(),
      repeat: z.string().optional(),
      stream: z.boolean().optional(),
      slo: z.string().optional(),
      timeout: z.string().optional(),
      out: z.string().optional(),
      evictEvery: z.string().optional(),
      rotateSecretAt: z.string().optional(),
      seed: z.string().optional(),
      connections: z.string().optional(),
    })
    .strict(),
  async run(ctx, opts): Promise<LoadtestResult> {
    const { resolvePlan } = await import('../loadtest/plan.js');
    const plan = resolvePlan(opts);
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
  },
  exitCode(result) {
    return result.slo && !result.slo.passed ? ExitCode.sloMissed : ExitCode.ok;
  },
});
