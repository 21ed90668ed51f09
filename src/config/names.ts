// Azure resource names derived from the stack name, under each type's rules. Names that must be
// globally unique (Key Vault, storage, Cosmos DB, API Management, the function app's host name)
// carry a short stable hash of subscription + stack, so two stacks or two subscriptions never
// collide and the same stack always gets the same names (ARM is the state: no state file).
import { createHash } from 'node:crypto';

export interface NameRule {
  min: number;
  max: number;
  pattern: RegExp;
  what: string;
  global: boolean;
}

const NAME_RULES = {
  resourceGroup: { min: 1, max: 90, pattern: /^[-\w.()]*[-\w()]$/, what: 'letters, digits, - _ . ( ), not ending in .', global: false },
  vnet: { min: 2, max: 64, pattern: /^[a-zA-Z0-9][-\w.]*\w$/, what: 'letters, digits, - _ .', global: false },
  nsg: { min: 1, max: 80, pattern: /^[a-zA-Z0-9][-\w.]*\w$/, what: 'letters, digits, - _ .', global: false },
  natGateway: { min: 1, max: 80, pattern: /^[a-zA-Z0-9][-\w.]*\w$/, what: 'letters, digits, - _ .', global: false },
  natPublicIp: { min: 1, max: 80, pattern: /^[a-zA-Z0-9][-\w.]*\w$/, what: 'letters, digits, - _ .', global: false },
  gatewayIdentity: { min: 3, max: 128, pattern: /^[a-zA-Z0-9][-\w]*$/, what: 'letters, digits, - _', global: false },
  apimIdentity: { min: 3, max: 128, pattern: /^[a-zA-Z0-9][-\w]*$/, what: 'letters, digits, - _', global: false },
  agentIdentity: { min: 3, max: 128, pattern: /^[a-zA-Z0-9][-\w]*$/, what: 'letters, digits, - _', global: false },
  keyVault: {
    min: 3,
    max: 24,
    pattern: /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]*[a-zA-Z0-9]$/,
    what: 'letters, digits, single hyphens, starting with a letter',
    global: true,
  },
  storage: { min: 3, max: 24, pattern: /^[a-z0-9]+$/, what: 'lowercase letters and digits only', global: true },
  cosmos: { min: 3, max: 44, pattern: /^[a-z0-9][a-z0-9-]*[a-z0-9]$/, what: 'lowercase letters, digits, hyphens', global: true },
  apim: {
    min: 1,
    max: 50,
    pattern: /^[a-zA-Z](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/,
    what: 'letters, digits, hyphens, starting with a letter',
    global: true,
  },
  functionApp: { min: 2, max: 60, pattern: /^[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]$/, what: 'letters, digits, hyphens', global: true },
  plan: { min: 1, max: 60, pattern: /^[-\w]+$/, what: 'letters, digits, - _', global: false },
  workspace: { min: 4, max: 63, pattern: /^[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]$/, what: 'letters, digits, hyphens', global: false },
  appInsights: { min: 1, max: 260, pattern: /^[^%&\\?/]+$/, what: 'no % & \\ ? /', global: false },
  actionGroup: { min: 1, max: 260, pattern: /^[^%&\\?/]+$/, what: 'no % & \\ ? /', global: false },
  vmss: { min: 1, max: 64, pattern: /^[a-zA-Z0-9][-\w.]*\w$/, what: 'letters, digits, - _ .', global: false },
} as const satisfies Record<string, NameRule>;

export type NameKind = keyof typeof NAME_RULES;

/** Six hex characters of sha256(subscription/stack): stable, and enough to avoid collisions. */
function stackHash(subscriptionId: string, stack: string): string {
  return createHash('sha256').update(`${subscriptionId.toLowerCase()}/${stack}`).digest('hex').slice(0, 6);
}

export interface StackNames {
  resourceGroup: string;
  vnet: string;
  nsg: string;
  /** The GPU subnet's explicit outbound: Flexible scale set VMs get no default outbound access. */
  natGateway: string;
  natPublicIp: string;
  /** One managed identity per component, each with only the data actions it uses. */
  gatewayIdentity: string;
  apimIdentity: string;
  agentIdentity: string;
  keyVault: string;
  storage: string;
  cosmos: string;
  apim: string;
  functionApp: string;
  plan: string;
  workspace: string;
  appInsights: string;
  actionGroup: string;
  vmss: Record<string, string>;
}

export function deriveNames(stack: string, subscriptionId: string, poolNames: string[]): StackNames {
  const h = stackHash(subscriptionId, stack);
  const compact = stack.replace(/-/g, '');
  return {
    resourceGroup: `rg-${stack}`,
    vnet: `vnet-${stack}`,
    nsg: `nsg-${stack}`,
    natGateway: `ng-${stack}`,
    natPublicIp: `pip-${stack}-nat`,
    gatewayIdentity: `id-${stack}-gateway`,
    apimIdentity: `id-${stack}-apim`,
    agentIdentity: `id-${stack}-agent`,
    keyVault: `kv-${compact.slice(0, 14)}-${h}`,
    storage: `st${compact.slice(0, 16)}${h}`,
    cosmos: `cosmos-${stack}-${h}`,
    apim: `apim-${stack}-${h}`,
    functionApp: `func-${stack}-${h}`,
    plan: `plan-${stack}`,
    workspace: `log-${stack}`,
    appInsights: `appi-${stack}`,
    actionGroup: `ag-${stack}`,
    vmss: Object.fromEntries(poolNames.map((p) => [p, `vmss-${stack}-${p}`])),
  };
}

/** Every name that breaks its type's rule, as human sentences. */
export function checkNames(names: StackNames): string[] {
  const problems: string[] = [];
  const check = (kind: NameKind, name: string) => {
    const r: NameRule = NAME_RULES[kind];
    if (name.length < r.min || name.length > r.max)
      problems.push(`${kind} name "${name}" must be ${r.min}–${r.max} characters (it is ${name.length})`);
    else if (!r.pattern.test(name)) problems.push(`${kind} name "${name}" may contain only ${r.what}`);
  };
  for (const [kind, value] of Object.entries(names)) {
    if (kind === 'vmss') for (const v of Object.values(value as Record<string, string>)) check('vmss', v);
    else check(kind as NameKind, value as string);
  }
  return problems;
}
