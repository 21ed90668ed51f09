// Runs a job's chat completion through the same path as a live request (cache, routing,
// fallback, retries, metering), as its customer, and captures the answer.
import { chatCompletions } from './chat-completions.js';
import { answerText } from './answer.js';
import type { GatewayContext } from './context.js';
import { GatewayError } from './errors.js';
import type { JobDoc } from '../contracts/documents.js';
import type { JobRunResult } from './jobs-worker.js';
import { HEADER_SERVED_BY } from '../contracts/headers.js';

export async function runJobThroughGateway(ctx: GatewayContext, job: JobDoc): Promise<JobRunResult> {
  const requestId = `${job.id}-${job.attempts}`;
  try {
    let settled: Promise<void> | undefined;
    const res = await chatCompletions(ctx, {
      body: job.request,
      customer: job.customer,
      requestId,
      headers: new Headers(),
      onSettled: (p) => (settled = p),
    });
    const text = await answerText(res);
    await settled; // the usage of a finished job is durable before the job says it finished
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = { error: { message: text.slice(0, 500) } };
    }
    return { status: res.status, body, servedBy: res.headers[HEADER_SERVED_BY] };
  } catch (err) {
    if (err instanceof GatewayError) {
      await ctx.meter.record(job.customer, ctx.router.byName(String(job.request.model))?.name ?? '(unknown)', { requests: 1, errors: 1 });
      return { status: err.init.status, body: { error: { message: err.message, code: err.init.code } } };
    }
    throw err;
  }
}
