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
  /** Set in on-error: the error API Management raised (its predefined Source, Reason, Message). */
  LastError?: { Source: string; Reason: string; Message: string };
  /** context.Variables: what policies stored (rate-limit's retry-after-variable-name). */
  Variables?: Record<string, string | number>;
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

const unquote = (s: string) => s.replace(/\\(.)/g, '$1');

/**
 * A <when condition>: `@(a == "x" || b == "y")` where each side is a context member path and a
 * string literal — the form gpuarb's on-error policy uses.
 */
export function evaluateCondition(text: string, ctx: ExpressionContext): boolean {
  const trimmed = text.trim();
  if (!trimmed.startsWith('@(') || !trimmed.endsWith(')')) throw new PolicyError(`condition "${text}" must be a policy expression @(…)`);
  return trimmed
    .slice(2, -1)
    .split('||')
    .some((clause) => {
      const m = /^\s*(context(?:\??\.[A-Za-z]+)+)\s*==\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(clause);
      if (!m)
        throw new PolicyError(`condition clause "${clause.trim()}" is not supported locally (only context.* == "literal", joined by ||)`);
      return evaluateTerm(m[1], ctx) === unquote(m[2]);
    });
}

function evaluateTerm(term: string, ctx: ExpressionContext): string | null {
  const literal = /^"((?:[^"\\]|\\.)*)"$/.exec(term);
  if (literal) return unquote(literal[1]);
  const variable = /^context\.Variables\.GetValueOrDefault<int>\("([A-Za-z0-9_-]+)",\s*(-?\d+)\)\.ToString\(\)$/.exec(term);
  if (variable) {
    const v = ctx.Variables?.[variable[1]];
    return String(typeof v === 'number' ? v : Number(variable[2]));
  }
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
