// API Management policy XML. Consumption tier has no rate-limit-by-key/quota-by-key and no
// built-in cache, so limits are `rate-limit` and `quota` per subscription (one subscription per
// customer key), set in each product (tier). The API policy forwards to the gateway with the
// backend secret (a Key Vault–backed named value) and the customer id.
import { HEADER_BACKEND_KEY, HEADER_CUSTOMER, HEADER_REQUEST_ID } from '../../contracts/headers.js';
import { FRONT_DOOR_ERRORS, RETRY_AFTER_VARIABLE } from '../../contracts/front-door-errors.js';

export const BACKEND_ID = 'gateway';
export const BACKEND_KEY_NAMED_VALUE = 'backend-key';
/** The most API Management honours for `forward-request timeout`. */
export const FORWARD_TIMEOUT_SECONDS = 240;

const xmlAttr = (v: string | number) => String(v).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** A whole policy document: each section starts with `<base />` (the enclosing scope's policy). */
function policies(sections: { inbound?: string[]; backend?: string[] }): string {
  const section = (name: string, lines: string[] = []) => [`  <${name}>`, '    <base />', ...lines.map((l) => `    ${l}`), `  </${name}>`];
  return [
    '<policies>',
    ...section('inbound', sections.inbound),
    ...(sections.backend ? [`  <backend>`, ...sections.backend.map((l) => `    ${l}`), '  </backend>'] : section('backend')),
    ...section('outbound'),
    ...section('on-error'),
    '</policies>',
  ].join('\n');
}

/** The API-level policy: authenticate to the gateway and say who the customer is. */
export function apiPolicyXml(): string {
  return policies({
    inbound: [
      `<set-backend-service backend-id="${BACKEND_ID}" />`,
      `<set-header name="${HEADER_BACKEND_KEY}" exists-action="override">`,
      `  <value>{{${BACKEND_KEY_NAMED_VALUE}}}</value>`,
      '</set-header>',
      // The customer is the subscription's id (its ARM name, `cust-<customer>`: unique in the
      // service and fixed at creation), never its display name, which is free text any
      // subscription can copy, and so would share another customer's bills, cache and limits.
      // context.Subscription.Id vs .Name: https://learn.microsoft.com/azure/api-management/api-management-policy-expressions#ContextVariables
      `<set-header name="${HEADER_CUSTOMER}" exists-action="override">`,
      '  <value>@(context.Subscription?.Id ?? "anonymous")</value>',
      '</set-header>',
      `<set-header name="${HEADER_REQUEST_ID}" exists-action="skip">`,
      '  <value>@(context.RequestId.ToString())</value>',
      '</set-header>',
    ],
    // Streaming answers must not be buffered by API Management (and the API's backend section
    // forwards itself, with no <base />). `timeout` bounds only the wait for the response
    // headers, and values above 240 s "may not be honored" (the network drops idle connections):
    // https://learn.microsoft.com/azure/api-management/forward-request-policy. A stream sends its
    // headers at once and then bytes keep flowing; a longer non-streamed answer is an async job.
    backend: [`<forward-request timeout="${FORWARD_TIMEOUT_SECONDS}" buffer-response="false" />`],
  });
}

/** A product (tier) policy: per-subscription rate limit and quota. */
export function productPolicyXml(tier: { rateLimit: { calls: number; period: number }; quota: { calls: number; period: number } }): string {
  return policies({
    inbound: [
      `<rate-limit calls="${xmlAttr(tier.rateLimit.calls)}" renewal-period="${xmlAttr(tier.rateLimit.period)}" retry-after-variable-name="${RETRY_AFTER_VARIABLE}" />`,
      `<quota calls="${xmlAttr(tier.quota.calls)}" renewal-period="${xmlAttr(tier.quota.period)}" />`,
    ],
  });
}

const xmlText = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/**
 * The service-wide (global) policy: API Management's own refusals — no such operation, a missing
 * or wrong key, the rate limit, the quota — answered in OpenAI's error shape, so the official
 * clients raise their usual typed errors at the front door too. Errors in built-in steps and in
 * policies jump to on-error with context.LastError.Reason set (predefined reasons:
 * https://learn.microsoft.com/azure/api-management/api-management-error-handling-policies); the
 * global scope is the one that also sees requests matching no API. Any other error keeps API
 * Management's default answer.
 */
export function globalPolicyXml(): string {
  const whens = FRONT_DOOR_ERRORS.flatMap((e) => [
    `  <when condition="${xmlAttr(`@(${e.reasons.map((r) => `context.LastError.Reason == "${r}"`).join(' || ')})`)}">`,
    '    <return-response>',
    `      <set-status code="${e.status}" reason="${xmlAttr(e.statusText)}" />`,
    '      <set-header name="Content-Type" exists-action="override">',
    '        <value>application/json</value>',
    '      </set-header>',
    ...(e.retryAfter
      ? [
          '      <set-header name="Retry-After" exists-action="override">',
          `        <value>@(context.Variables.GetValueOrDefault&lt;int&gt;("${RETRY_AFTER_VARIABLE}", 1).ToString())</value>`,
          '      </set-header>',
        ]
      : []),
    `      <set-body>${xmlText(e.body)}</set-body>`,
    '    </return-response>',
    '  </when>',
  ]);
  // The global scope has no enclosing scope (so no <base />) and is where requests are forwarded
  // unless an API overrides its backend section, as Azure's default global policy does.
  return [
    '<policies>',
    '  <inbound />',
    '  <backend>',
    '    <forward-request />',
    '  </backend>',
    '  <outbound />',
    '  <on-error>',
    '    <choose>',
    ...whens.map((l) => `    ${l}`),
    '    </choose>',
    '  </on-error>',
    '</policies>',
  ].join('\n');
}
