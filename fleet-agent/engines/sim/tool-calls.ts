// Which tools the simulated model calls, and with what arguments: deterministic for a request, so
// caching and load tests see stable answers. tool_choice "none" never calls; a named function or
// "required" always does; "auto" calls unless the conversation just answered a call (the
// follow-up turn with role "tool" messages gets text). One call, or one per declared tool when the
// client set parallel_tool_calls to true.
import { createHash } from 'node:crypto';
import type { GenerateRequest } from '../engine.js';
import { valueForSchema } from './schema-value.js';

export interface SimToolCall {
  id: string;
  name: string;
  arguments: string;
}

export function toolCallsFor(req: GenerateRequest, prompt: string): SimToolCall[] {
  const tools = req.tools ?? [];
  const choice = req.toolChoice ?? 'auto';
  if (!tools.length || choice === 'none') return [];
  if (choice === 'auto' && req.messages?.at(-1)?.role === 'tool') return [];
  const chosen =
    typeof choice === 'object' ? tools.filter((t) => t.name === choice.name) : req.parallelToolCalls === true ? tools : tools.slice(0, 1);
  return chosen.map((tool, i) => {
    const digest = createHash('sha256')
      .update(`${req.seed ?? 0}:${i}:${tool.name}:${prompt}`)
      .digest();
    return {
      id: `call_${digest.toString('base64url').slice(0, 24)}`,
      name: tool.name,
      arguments: JSON.stringify(valueForSchema(tool.parameters, digest.readUInt32BE(0))),
    };
  });
}
