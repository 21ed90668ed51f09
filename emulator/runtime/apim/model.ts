// What the local API Management proxy needs to know about one service, read from the ARM store
// on every request (cheap: a few objects), so a new key or a revoked one takes effect at once.

export interface ApimApi {
  name: string;
  /** URL path prefix, e.g. "v1". */
  path: string;
  subscriptionRequired: boolean;
  /** subscriptionKeyParameterNames.header; API Management's default is Ocp-Apim-Subscription-Key. */
  keyHeader: string;
  keyQuery: string;
  policyXml?: string;
  /**
   * The operations imported with the API (from its OpenAPI document): a request matching none is
   * API Management's OperationNotFound. Undefined when the API was created without a document.
   */
  operations?: { method: string; pattern: RegExp }[];
}

export interface ApimProduct {
  name: string;
  state: 'published' | 'notPublished';
  policyXml?: string;
  apis: string[];
}

export interface ApimSubscription {
  sid: string;
  displayName: string;
  /** ARM scope, ending in /products/{name}, /apis/{name} or /apis. */
  scope: string;
  primaryKey: string;
  secondaryKey: string;
  state: 'active' | 'suspended' | 'cancelled' | 'expired' | 'rejected' | 'submitted';
}

export interface ApimModel {
  apis: ApimApi[];
  products: ApimProduct[];
  subscriptions: ApimSubscription[];
  namedValues: Record<string, string>;
  backends: Record<string, { url: string }>;
  globalPolicyXml?: string;
}

export const DEFAULT_KEY_HEADER = 'Ocp-Apim-Subscription-Key';
export const DEFAULT_KEY_QUERY = 'subscription-key';
