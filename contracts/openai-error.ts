// OpenAI's error shape, {error: {message, type, param, code}}, which the gateway and the agents
// answer with for everything they refuse, so the official clients raise their usual typed errors
// (APIError with the status; the SDKs read `type`, `param` and `code` from the body).

export type OpenAIErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'insufficient_quota'
  | 'server_error'
  | 'timeout_error'
  | 'service_unavailable';

export interface OpenAIErrorFields {
  message: string;
  type: OpenAIErrorType;
  param?: string | null;
  code?: string | null;
}

export interface OpenAIErrorBody {
  error: { message: string; type: OpenAIErrorType; param: string | null; code: string | null };
}

export function openAIErrorBody(e: OpenAIErrorFields): OpenAIErrorBody {
  return { error: { message: e.message, type: e.type, param: e.param ?? null, code: e.code ?? null } };
}

export function openAIErrorJson(e: OpenAIErrorFields): string {
  return JSON.stringify(openAIErrorBody(e));
}

/** The type of an error with nothing more specific to say: the server's fault from 500 on. */
export function errorTypeForStatus(status: number): 'server_error' | 'invalid_request_error' {
  return status >= 500 ? 'server_error' : 'invalid_request_error';
}

/** A request body over the size cap: HTTP's "Content Too Large". */
export const STATUS_BODY_TOO_LARGE = 413;

/**
 * The `code` of that 413, which differs by tier: clients (and the tests) already rely on each,
 * so the shape is shared and each tier passes its own code.
 */
export const BODY_TOO_LARGE_CODE = { gateway: 'body_too_large', agent: 'request_too_large' } as const;
