// Validation of /v1/chat/completions and /v1/completions bodies: the one request schema the
// gateway also applies (contracts/chat-request.ts), its refusals rendered as the agent's 400s.
import { InvalidRequest, parseGenerateBody as parseShared, type ParsedRequest } from '../../contracts/chat-request.js';
import { badRequest } from './respond.js';

export type { ParsedRequest };

/** Validates the body; `maxTokens` stays undefined when the client left it to us. */
export function parseGenerateBody(kind: 'chat' | 'completion', body: Record<string, unknown>): ParsedRequest {
  try {
    return parseShared(kind, body);
  } catch (e) {
    if (e instanceof InvalidRequest) throw badRequest(e.message, e.param, e.code);
    throw e;
  }
}
