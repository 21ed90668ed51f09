// The structured parts of a chat request: tools and tool_choice, response_format and logit_bias,
// checked as OpenAI checks them (docs/openai-compatibility.md lists every field).
import {
  type Body,
  checkName,
  invalid,
  isObject,
  missing,
  notRepresentable,
  optionalBoolean,
  optionalString,
  wrongType,
} from './request-checks.js';

export interface ToolDefinition {
  name: string;
  description?: string;
  /** A JSON Schema for the arguments; absent = a function that takes no arguments. */
  parameters?: Body;
  strict?: boolean;
}

/** `{ name }`: the caller forces that function. */
export type ToolChoice = 'none' | 'auto' | 'required' | { name: string };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: Body; strict: boolean };

/** OpenAI accepts at most 128 tools per request. */
export const MAX_TOOLS = 128;

export function parseTools(value: unknown): ToolDefinition[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw wrongType('tools', 'an array', value);
  if (value.length > MAX_TOOLS)
    throw invalid(
      `Invalid 'tools': array too long. Expected an array with maximum length ${MAX_TOOLS}, but got an array with length ${value.length} instead.`,
      'tools',
      'array_above_max_length',
    );
  const names = new Set<string>();
  return value.map((t, i) => {
    const param = `tools[${i}]`;
    if (!isObject(t)) throw wrongType(param, 'an object', t);
    if (t.type === undefined) throw missing(`${param}.type`);
    if (t.type !== 'function') throw invalid(`Invalid value for '${param}.type': expected 'function'.`, `${param}.type`);
    const f = t.function;
    if (f === undefined) throw missing(`${param}.function`);
    if (!isObject(f)) throw wrongType(`${param}.function`, 'an object', f);
    const name = checkName(f.name, `${param}.function.name`);
    if (names.has(name))
      throw invalid(`Invalid 'tools': the function name '${name}' is declared twice; names must be unique.`, `${param}.function.name`);
    names.add(name);
    const description = optionalString(f.description, `${param}.function.description`);
    const strict = optionalBoolean(f.strict, `${param}.function.strict`);
    if (f.parameters !== undefined && f.parameters !== null && !isObject(f.parameters))
      throw wrongType(`${param}.function.parameters`, 'an object (a JSON Schema)', f.parameters);
    const parameters = (f.parameters ?? undefined) as Body | undefined;
    if (parameters && parameters.type !== undefined && parameters.type !== 'object')
      throw invalid(
        `Invalid schema for function '${name}': schema must be a JSON Schema of 'type: "object"', got 'type: ${JSON.stringify(parameters.type)}'.`,
        `${param}.function.parameters`,
        'invalid_function_parameters',
      );
    return { name, description, parameters, strict };
  });
}

export function parseToolChoice(value: unknown, tools: ToolDefinition[] | undefined): ToolChoice | undefined {
  if (value === undefined || value === null) return undefined;
  let choice: ToolChoice;
  if (typeof value === 'string') {
    if (value !== 'none' && value !== 'auto' && value !== 'required')
      throw invalid(
        `Invalid value for 'tool_choice': expected 'none', 'auto', 'required' or an object naming a function, but got '${value}'.`,
        'tool_choice',
      );
    choice = value;
  } else if (isObject(value)) {
    if (value.type !== 'function') throw invalid("Invalid value for 'tool_choice.type': expected 'function'.", 'tool_choice.type');
    if (!isObject(value.function))
      throw value.function === undefined ? missing('tool_choice.function') : wrongType('tool_choice.function', 'an object', value.function);
    choice = { name: checkName(value.function.name, 'tool_choice.function.name') };
  } else throw wrongType('tool_choice', 'a string or an object', value);
  if (!tools?.length)
    throw invalid("Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.", 'tool_choice');
  if (typeof choice === 'object' && !tools.some((t) => t.name === (choice as { name: string }).name))
    throw invalid(
      `Invalid value for 'tool_choice': no function named '${choice.name}' is declared in 'tools' (declared: ${tools.map((t) => t.name).join(', ')}).`,
      'tool_choice.function.name',
    );
  return choice;
}

export function parseParallelToolCalls(value: unknown, tools: ToolDefinition[] | undefined): boolean | undefined {
  const v = optionalBoolean(value, 'parallel_tool_calls');
  if (v !== undefined && !tools?.length)
    throw invalid(
      "Invalid value for 'parallel_tool_calls': 'parallel_tool_calls' is only allowed when 'tools' are specified.",
      'parallel_tool_calls',
    );
  return v;
}

export function parseResponseFormat(value: unknown): ResponseFormat | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw wrongType('response_format', 'an object', value);
  const { type } = value;
  if (type === undefined) throw missing('response_format.type');
  if (type === 'text' || type === 'json_object') return { type };
  if (type !== 'json_schema')
    throw invalid(
      `Invalid value for 'response_format.type': expected one of 'text', 'json_object', 'json_schema', but got ${JSON.stringify(type)}.`,
      'response_format.type',
    );
  const js = value.json_schema;
  if (js === undefined || js === null) throw missing('response_format.json_schema');
  if (!isObject(js)) throw wrongType('response_format.json_schema', 'an object', js);
  const name = checkName(js.name, 'response_format.json_schema.name');
  optionalString(js.description, 'response_format.json_schema.description');
  const strict = optionalBoolean(js.strict, 'response_format.json_schema.strict') ?? false;
  if (js.schema !== undefined && js.schema !== null && !isObject(js.schema))
    throw wrongType('response_format.json_schema.schema', 'an object (a JSON Schema)', js.schema);
  return { type, name, schema: (js.schema as Body | undefined) ?? {}, strict };
}

/** Token id (a decimal integer, as a string key) → bias in [-100, 100]. */
export function parseLogitBias(value: unknown): Record<string, number> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw wrongType('logit_bias', 'an object', value);
  const out: Record<string, number> = {};
  for (const [token, bias] of Object.entries(value)) {
    if (!/^(0|[1-9][0-9]{0,9})$/.test(token))
      throw invalid(
        `Invalid key in 'logit_bias': ${token}. You should only be submitting non-negative integers.`,
        'logit_bias',
        'invalid_value',
      );
    const param = `logit_bias.${token}`;
    if (typeof bias === 'number' && !Number.isFinite(bias)) throw notRepresentable(param);
    if (typeof bias !== 'number') throw wrongType(param, 'a number', bias);
    if (bias < -100 || bias > 100)
      throw invalid(
        `Invalid value for '${param}': logit bias must be between -100 and 100, but got ${bias}.`,
        'logit_bias',
        'invalid_value',
      );
    out[token] = bias;
  }
  return out;
}
