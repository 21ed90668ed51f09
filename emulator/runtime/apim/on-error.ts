// The on-error subset gpuarb's policies use: <choose>/<when condition>/<otherwise> around
// <return-response> with <set-status>, <set-header> and <set-body>. API Management's reference:
// https://learn.microsoft.com/azure/api-management/choose-policy and
// https://learn.microsoft.com/azure/api-management/return-response-policy. Anything else inside
// is refused (PolicyError), as for the rest of the policy.
import { PolicyError, attrs, intAttr, onlyAttrs, tagOf, textOf, type Node } from './policy-xml.js';

export interface ResponseHeaderStep {
  name: string;
  existsAction: 'override' | 'skip' | 'append' | 'delete';
  values: string[];
}

export interface ReturnResponseStep {
  kind: 'return-response';
  status?: { code: number; reason?: string };
  headers: ResponseHeaderStep[];
  body?: string;
}

export interface ChooseStep {
  kind: 'choose';
  whens: { condition: string; steps: ReturnResponseStep[] }[];
  otherwise?: ReturnResponseStep[];
}

const children = (el: Node, tag: string) => ((el[tag] as Node[]) ?? []).filter((c) => tagOf(c) !== '#text');

function branchSteps(el: Node, tag: string): ReturnResponseStep[] {
  return children(el, tag).map((c) => {
    const t = tagOf(c);
    if (t !== 'return-response')
      throw new PolicyError(`<${t}> inside <${tag}> is not supported by the local API Management (only <return-response>)`);
    return parseReturnResponse(c);
  });
}

export function parseChoose(el: Node): ChooseStep {
  const step: ChooseStep = { kind: 'choose', whens: [] };
  for (const c of children(el, 'choose')) {
    const t = tagOf(c);
    if (t === 'when') {
      const a = attrs(c);
      onlyAttrs('when', a, ['condition']);
      if (!a.condition) throw new PolicyError('<when> needs condition="@(…)"');
      step.whens.push({ condition: a.condition, steps: branchSteps(c, 'when') });
    } else if (t === 'otherwise' && !step.otherwise) step.otherwise = branchSteps(c, 'otherwise');
    else throw new PolicyError(`<${t}> is not valid inside <choose> (expected <when> elements and at most one <otherwise>)`);
  }
  if (!step.whens.length) throw new PolicyError('<choose> needs at least one <when>');
  return step;
}

export function parseReturnResponse(el: Node): ReturnResponseStep {
  onlyAttrs('return-response', attrs(el), []);
  const step: ReturnResponseStep = { kind: 'return-response', headers: [] };
  for (const c of children(el, 'return-response')) {
    const t = tagOf(c);
    const a = attrs(c);
    if (t === 'set-status') {
      onlyAttrs(t, a, ['code', 'reason']);
      step.status = { code: intAttr(t, a, 'code'), reason: a.reason };
    } else if (t === 'set-header') {
      onlyAttrs(t, a, ['name', 'exists-action']);
      if (!a.name) throw new PolicyError('<set-header> needs name="…"');
      const action = (a['exists-action'] ?? 'override') as ResponseHeaderStep['existsAction'];
      if (!['override', 'skip', 'append', 'delete'].includes(action))
        throw new PolicyError(`<set-header exists-action="${action}"> is not valid`);
      const values = children(c, t)
        .filter((v) => tagOf(v) === 'value')
        .map((v) => textOf(v.value as Node[]));
      step.headers.push({ name: a.name, existsAction: action, values });
    } else if (t === 'set-body') {
      onlyAttrs(t, a, []);
      step.body = textOf(c[t] as Node[]);
    } else throw new PolicyError(`<${t}> inside <return-response> is not supported by the local API Management`);
  }
  return step;
}
