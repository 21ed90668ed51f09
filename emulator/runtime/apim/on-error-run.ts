// Runs a policy's on-error section for an error API Management raised itself (context.LastError
// with the predefined Source/Reason/Message): the first matching <when> that returns a response
// answers; when none does, the caller answers with API Management's default error.
import type { ServerResponse } from 'node:http';
import { evaluateCondition, renderValue, type ExpressionContext } from './expressions.js';
import type { ReturnResponseStep } from './on-error.js';
import type { PolicyStep } from './policy.js';

function chosenResponse(steps: PolicyStep[], ctx: ExpressionContext): ReturnResponseStep | undefined {
  for (const step of steps) {
    if (step.kind === 'return-response') return step;
    if (step.kind !== 'choose') continue;
    const branch = step.whens.find((w) => evaluateCondition(w.condition, ctx))?.steps ?? step.otherwise ?? [];
    const chosen = branch.find((s) => s.kind === 'return-response');
    if (chosen) return chosen;
  }
  return undefined;
}

/** True when on-error answered the request. */
export function runOnError(
  steps: PolicyStep[],
  ctx: ExpressionContext,
  res: ServerResponse,
  namedValues: (name: string) => string | undefined,
): boolean {
  const response = chosenResponse(steps, ctx);
  if (!response) return false;
  const headers: Record<string, string> = {};
  for (const h of response.headers) {
    const name = h.name.toLowerCase();
    if (h.existsAction === 'delete') delete headers[name];
    else if (h.existsAction !== 'skip' || headers[name] === undefined)
      headers[name] = h.values.map((v) => renderValue(v, ctx, namedValues)).join(',');
  }
  const body = response.body === undefined ? '' : renderValue(response.body, ctx, namedValues);
  if (res.headersSent) {
    res.destroy();
    return true;
  }
  res.writeHead(response.status?.code ?? 200, response.status?.reason, { 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
  return true;
}
