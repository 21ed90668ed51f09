// Policy values: `{{named-value}}` substitution and the few C# policy expressions gpuarb emits,
// e.g. `@(context.Subscription?.Id ?? "anonymous")`. Anything
// outside this grammar is refused (PolicyError), so a policy gpuarb cannot test never ships.
import { PolicyError } from './policy.js';

export interface ExpressionContext {
  RequestId: string;
  /** As in API Management: Id is the subscription's identifier (its ARM name), Name its display name. */
  Subscription?: { Id: string; Name: string; Key: string };
  Product?: { Id: string; Name: string };
  Api?: { Id: string; Name: string; Path: string };
}

export function renderValue(text: string, ctx: ExpressionContext, namedValues: (name: string) => string | undefined): string {
  const trimmed = text.trim();
  if (trimmed.startsWith('@(') && trimmed.endsWith(')')) return evaluate(trimmed.slice(2, -1), ctx);
  if (trimmed.startsWith('@{')) throw new PolicyError('multi-statement policy expressions @{…} are not supported locally');
  return text.replace(/\{\{([^{}]+)\}\}/g, (_, name: string) => {
    const v = namedValues(name.trim());
    if (v === undefined) throw new PolicyError(`named value {{${name}}} does not exist in this API Management service`);
    return v;
  });
}

/** expr := term ('??' term)*; term := "string" | context(.Name | ?.Name)* [.ToString()] */
function evaluate(expr: string, ctx: ExpressionContext): string {
  for (const alternative of expr.split('??').map((s) => s.trim())) {
    const v = evaluateTerm(alternative, ctx);
    if (v !== null && v !== undefined) return v;
  }
  return '';
}

function evaluateTerm(term: string, ctx: ExpressionContext): string | null {
  const literal = /^"((?:[^"\\]|\\.)*)"$/.exec(term);
  if (literal) return literal[1].replace(/\\(.)/g, '$1');
  const m = /^context((?:\??\.[A-Za-z]+)+)(\.ToString\(\))?$/.exec(term);
  if (!m)
    throw new PolicyError(`policy expression "${term}" is not supported locally (only context.* member paths, ?? and string literals)`);
  let value: unknown = ctx;
  for (const part of m[1].split(/\??\./).filter(Boolean)) {
    if (value === null || value === undefined) return null;
    if (typeof value !== 'object' || !(part in (value as object)))
      throw new PolicyError(`context member "${part}" is not supported locally`);
    value = (value as Record<string, unknown>)[part];
  }
  return value === null || value === undefined ? null : String(value);
}
