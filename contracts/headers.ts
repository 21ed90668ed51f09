// HTTP headers shared across the tiers. API Management sets the first two on every request it
// forwards to the gateway; the gateway sets the request id on every call to an agent.

/** The backend secret API Management adds (value: the `inference-api-key` Key Vault secret). */
export const HEADER_BACKEND_KEY = 'x-gpuarb-backend-key';
/** The customer id API Management adds: the customer's subscription id (`cust-<customer>`), never a display name. */
export const HEADER_CUSTOMER = 'x-gpuarb-customer';
/** Correlates one request across API Management, gateway and agent logs. */
export const HEADER_REQUEST_ID = 'x-request-id';
/** Cache outcome on every gateway answer: hit | miss | bypass. */
export const HEADER_CACHE = 'x-gpuarb-cache';
/** The model (pool) that actually served the answer, after routing and fallback. */
export const HEADER_SERVED_BY = 'x-gpuarb-model';
/**
 * W3C Server-Timing on every gateway answer: `gateway;dur=<ms>` (the gateway's own time until the
 * answer starts, agent wait excluded) and, when an agent was called, `agent;dur=<ms>`.
 */
export const HEADER_SERVER_TIMING = 'server-timing';
/** Set to "true" by the sim engine (and passed on by agent and gateway). */
export const HEADER_SIMULATED = 'x-gpuarb-simulated';
/** Agents authenticate callers with `Authorization: Bearer <internal-service-key>`. */
export const INTERNAL_AUTH_SCHEME = 'Bearer';
/**
 * On an agent's buffered (non-stream) answer: its token usage, the same numbers as the body's
 * `usage`, as `prompt_tokens=<n>, completion_tokens=<n>`. The gateway meters from it without
 * parsing the answer (JSON.parse of every answer was the largest part of metering's CPU) and
 * falls back to the body when it is missing or malformed (an older agent, another upstream).
 */
export const HEADER_USAGE = 'x-gpuarb-usage';

/**
 * On an agent's stream: the prompt's length in tokens, known once the engine accepted the request
 * (sent with the status line). A stream the client cuts still owes its prompt: the gateway meters
 * this when no final usage chunk arrives. Absent when the engine counts only as it runs (vLLM).
 */
export const HEADER_PROMPT_TOKENS = 'x-gpuarb-prompt-tokens';

/** The prompt token count of HEADER_PROMPT_TOKENS, or undefined when absent or malformed. */
export function parsePromptTokensHeader(value: unknown): number | undefined {
  return typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : undefined;
}

export function formatUsageHeader(promptTokens: number, completionTokens: number): string {
  return `prompt_tokens=${promptTokens}, completion_tokens=${completionTokens}`;
}

const USAGE_VALUE = /^prompt_tokens=(\d{1,9}), completion_tokens=(\d{1,9})$/;

export function parseUsageHeader(value: unknown): { prompt: number; completion: number } | undefined {
  const m = typeof value === 'string' ? USAGE_VALUE.exec(value) : null;
  return m ? { prompt: Number(m[1]), completion: Number(m[2]) } : undefined;
}
