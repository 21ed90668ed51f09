// The XML helpers the policy parsers share, and the error they raise for anything outside the
// policy subset the local API Management enforces.

export type Node = Record<string, unknown>;

export class PolicyError extends Error {
  readonly code = 'PolicyNotSupported';
}

export function tagOf(n: Node): string {
  return Object.keys(n).find((k) => k !== ':@') ?? '#text';
}

export function attrs(n: Node): Record<string, string> {
  return (n[':@'] as Record<string, string>) ?? {};
}

export function intAttr(tag: string, a: Record<string, string>, name: string): number {
  const v = Number(a[name]);
  if (!Number.isInteger(v) || v <= 0)
    throw new PolicyError(`<${tag}> needs a positive integer ${name}="…" (got ${JSON.stringify(a[name])})`);
  return v;
}

export function onlyAttrs(tag: string, a: Record<string, string>, allowed: string[]): void {
  const extra = Object.keys(a).filter((k) => !allowed.includes(k));
  if (extra.length) throw new PolicyError(`<${tag}> attribute(s) ${extra.join(', ')} are not supported by the local API Management`);
}

export function textOf(nodes: Node[]): string {
  return nodes.map((n) => String(n['#text'] ?? '')).join('');
}
