// What the front door (API Management, on Azure and locally) answers for its own refusals, in
// OpenAI's error shape: the same body the gateway and the agents use, so a client sees one shape
// whichever tier refused it. The policy XML (src/templates/apim-policy.ts) is generated from this.
import { openAIErrorJson, type OpenAIErrorFields } from './openai-error.js';

/** The policy variable the rate-limit policy stores its recommended retry interval (seconds) in. */
export const RETRY_AFTER_VARIABLE = 'gpuarbRetryAfter';

export interface FrontDoorError {
  /** context.LastError.Reason values (API Management's predefined errors) answered with this. */
  reasons: string[];
  status: number;
  statusText: string;
  /** Sends Retry-After from the rate-limit policy's variable. */
  retryAfter?: boolean;
  body: string;
  fields: OpenAIErrorFields;
}

function frontDoorError(
  reasons: string[],
  status: number,
  statusText: string,
  fields: OpenAIErrorFields,
  retryAfter = false,
): FrontDoorError {
  return { reasons, status, statusText, retryAfter, fields, body: openAIErrorJson(fields) };
}

export const FRONT_DOOR_ERRORS: FrontDoorError[] = [
  frontDoorError(['SubscriptionKeyNotFound', 'SubscriptionKeyInvalid'], 401, 'Unauthorized', {
    message: 'Incorrect or missing API key. Send your gpuarb key as `Authorization: Bearer <key>` (the OpenAI clients do, from apiKey).',
    type: 'invalid_request_error',
    code: 'invalid_api_key',
  }),
  frontDoorError(['OperationNotFound'], 404, 'Not Found', {
    message: 'Unknown request URL. This service offers POST /v1/chat/completions, GET /v1/models, POST /v1/jobs and GET /v1/jobs/{id}.',
    type: 'invalid_request_error',
    code: 'unknown_url',
  }),
  frontDoorError(
    ['RateLimitExceeded'],
    429,
    'Too Many Requests',
    {
      message: 'Rate limit reached for your key. Retry after the number of seconds in the Retry-After header.',
      type: 'rate_limit_error',
      code: 'rate_limit_exceeded',
    },
    true,
  ),
  frontDoorError(['QuotaExceeded'], 403, 'Forbidden', {
    message: "Your key's call quota for this period is used up; it renews at the end of the period (ask the operator for a larger tier).",
    type: 'insufficient_quota',
    code: 'insufficient_quota',
  }),
];
