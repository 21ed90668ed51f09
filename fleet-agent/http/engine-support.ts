// Fields the request schema accepts but the serving engine does not honour are refused here with
// a 400 naming the field and the engine, never silently ignored: a client that asked for JSON or a
// tool call and got prose breaks later, far from the cause (docs/openai-compatibility.md).
import type { ParsedRequest } from '../../contracts/chat-request.js';
import type { Engine, EngineFeature } from '../engines/engine.js';
import { unsupportedSchemaKeywords } from '../engines/sim/schema-value.js';
import { badRequest } from './respond.js';

/** The feature a request needs and the parameter that asks for it, if any. */
function needs(parsed: ParsedRequest): [EngineFeature, string][] {
  const out: [EngineFeature, string][] = [];
  if (parsed.tools?.length && parsed.toolChoice !== 'none') out.push(['tools', 'tools']);
  if (parsed.responseFormat && parsed.responseFormat.type !== 'text') out.push(['json_output', 'response_format']);
  if (parsed.logprobs) out.push(['logprobs', 'logprobs']);
  return out;
}

export function refuseUnsupported(parsed: ParsedRequest, engine: Engine): void {
  for (const [feature, param] of needs(parsed)) {
    if (engine.features.has(feature)) continue;
    throw badRequest(
      `'${param}' is not supported by the ${engine.kind} engine serving \`${engine.model}\`: the request is refused rather than answered without it. ` +
        'See docs/openai-compatibility.md for which engine honours which field.',
      param,
      'unsupported_parameter',
    );
  }
}

/** The sim answers a json_schema with a value it generates: a keyword it cannot honour is named, not risked. */
export function refuseUnsupportedSchema(parsed: ParsedRequest, engine: Engine): void {
  const f = parsed.responseFormat;
  if (engine.kind !== 'sim' || f?.type !== 'json_schema') return;
  const unsupported = unsupportedSchemaKeywords(f.schema);
  if (unsupported.length)
    throw badRequest(
      `Invalid schema for response_format '${f.name}': the ${engine.kind} engine does not support ${unsupported.join(', ')}. ` +
        'Supported: type, properties, required, additionalProperties, items, enum, const, anyOf, minItems, maxItems, minimum, maximum.',
      'response_format.json_schema.schema',
      'unsupported_schema',
    );
}
