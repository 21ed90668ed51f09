// Parses the subset of API Management policy XML that gpuarb generates, and refuses everything
// else loudly: the local proxy must enforce exactly what Azure would, so an element it does not
// understand is an error (PolicyNotSupported), never silently skipped.
import { XMLParser } from 'fast-xml-parser';
import { parseChoose, parseReturnResponse, type ChooseStep, type ReturnResponseStep } from './on-error.js';
import { PolicyError, attrs, intAttr, onlyAttrs, tagOf, textOf, type Node } from './policy-xml.js';

export { PolicyError };

export type PolicyStep =
  | { kind: 'base' }
  | { kind: 'rate-limit'; calls: number; renewalPeriod: number; retryAfterVariable?: string }
  | { kind: 'quota'; calls: number; renewalPeriod: number }
  | { kind: 'set-header'; name: string; existsAction: 'override' | 'skip' | 'append' | 'delete'; values: string[] }
  | { kind: 'set-backend-service'; backendId?: string; baseUrl?: string }
  | { kind: 'forward-request'; timeoutSeconds: number; bufferResponse: boolean }
  | ChooseStep
  | ReturnResponseStep;

export interface Policy {
  inbound: PolicyStep[];
  backend: PolicyStep[];
  outbound: PolicyStep[];
  onError: PolicyStep[];
}

const SECTIONS = { inbound: 'inbound', backend: 'backend', outbound: 'outbound', 'on-error': 'onError' } as const;
const ALLOWED: Record<keyof Policy, PolicyStep['kind'][]> = {
  inbound: ['base', 'rate-limit', 'quota', 'set-header', 'set-backend-service'],
  backend: ['base', 'forward-request'],
  outbound: ['base', 'set-header'],
  onError: ['base', 'choose', 'return-response'],
};

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  trimValues: true,
  parseTagValue: false,
});

export const EMPTY_POLICY: Policy = {
  inbound: [{ kind: 'base' }],
  backend: [{ kind: 'base' }],
  outbound: [{ kind: 'base' }],
  onError: [{ kind: 'base' }],
};

export function parsePolicy(xml: string): Policy {
  let doc: Node[];
  try {
    doc = parser.parse(xml) as Node[];
  } catch (e) {
    throw new PolicyError(`policy XML does not parse: ${(e as Error).message}`);
  }
  const root = doc.find((n) => 'policies' in n);
  if (!root) throw new PolicyError('policy XML must have a <policies> root element');
  const policy: Policy = { inbound: [], backend: [], outbound: [], onError: [] };
  for (const section of root.policies as Node[]) {
    const tag = tagOf(section);
    if (tag === '#text') continue;
    const key = SECTIONS[tag as keyof typeof SECTIONS];
    if (!key) throw new PolicyError(`<${tag}> is not a policy section (expected inbound, backend, outbound, on-error)`);
    for (const el of section[tag] as Node[]) {
      const elTag = tagOf(el);
      if (elTag === '#text') continue;
      const step = parseStep(elTag, el);
      if (!ALLOWED[key].includes(step.kind)) throw new PolicyError(`<${elTag}> is not supported in <${tag}> by the local API Management`);
      policy[key].push(step);
    }
  }
  return policy;
}

export function parseStep(tag: string, el: Node): PolicyStep {
  const a = attrs(el);
  switch (tag) {
    case 'base':
      return { kind: 'base' };
    case 'rate-limit':
    case 'quota': {
      onlyAttrs(tag, a, tag === 'rate-limit' ? ['calls', 'renewal-period', 'retry-after-variable-name'] : ['calls', 'renewal-period']);
      if ((el[tag] as Node[]).some((c) => tagOf(c) !== '#text'))
        throw new PolicyError(`<${tag}> with per-API or per-operation children is not supported locally`);
      const limit = { calls: intAttr(tag, a, 'calls'), renewalPeriod: intAttr(tag, a, 'renewal-period') };
      return tag === 'rate-limit' ? { kind: tag, ...limit, retryAfterVariable: a['retry-after-variable-name'] } : { kind: tag, ...limit };
    }
    case 'choose':
      return parseChoose(el);
    case 'return-response':
      return parseReturnResponse(el);
    case 'set-header': {
      onlyAttrs(tag, a, ['name', 'exists-action']);
      const action = a['exists-action'] ?? 'override';
      if (!['override', 'skip', 'append', 'delete'].includes(action))
        throw new PolicyError(`<set-header exists-action="${action}"> is not valid`);
      if (!a.name) throw new PolicyError('<set-header> needs name="…"');
      const values = (el[tag] as Node[]).filter((c) => tagOf(c) === 'value').map((c) => textOf(c.value as Node[]));
      if (action !== 'delete' && values.length === 0) throw new PolicyError(`<set-header name="${a.name}"> needs at least one <value>`);
      return { kind: 'set-header', name: a.name, existsAction: action as 'override', values };
    }
    case 'set-backend-service':
      onlyAttrs(tag, a, ['backend-id', 'base-url']);
      if (!a['backend-id'] === !a['base-url']) throw new PolicyError('<set-backend-service> needs exactly one of backend-id or base-url');
      return { kind: 'set-backend-service', backendId: a['backend-id'], baseUrl: a['base-url'] };
    case 'forward-request':
      onlyAttrs(tag, a, ['timeout', 'buffer-response']);
      return {
        kind: 'forward-request',
        timeoutSeconds: a.timeout ? intAttr(tag, a, 'timeout') : 300,
        bufferResponse: a['buffer-response'] !== 'false',
      };
    default:
      throw new PolicyError(`<${tag}> is not in the policy subset the local API Management enforces`);
  }
}

/** Replaces each `<base />` with the enclosing scope's steps (global → product → API). */
export function compose(outer: Policy, inner: Policy): Policy {
  const merge = (o: PolicyStep[], i: PolicyStep[]) => i.flatMap((s) => (s.kind === 'base' ? o : [s]));
  return {
    inbound: merge(outer.inbound, inner.inbound),
    backend: merge(outer.backend, inner.backend),
    outbound: merge(outer.outbound, inner.outbound),
    onError: merge(outer.onError, inner.onError),
  };
}
