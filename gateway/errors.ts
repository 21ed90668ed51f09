// Answers in OpenAI's error shape ({error: {message, type, param, code}}), so the official
// clients raise their usual typed errors for anything the gateway refuses.
import { HEADER_CACHE } from '../contracts/headers.js';
import { answer, type Answer } from './answer.js';

export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'server_error'
  | 'timeout_error';

export interface ErrorInit {
  status: number;
  message: string;
  type: ErrorType;
  code?: string | null;
  param?: string | null;
  headers?: Record<string, string>;
}

export function errorBody(e: Pick<ErrorInit, 'message' | 'type' | 'code' | 'param'>): string {
  return JSON.stringify({ error: { message: e.message, type: e.type, param: e.param ?? null, code: e.code ?? null } });
}

export function errorAnswer(e: ErrorInit): Answer {
  return answer(e.status, Buffer.from(errorBody(e)), {
    'content-type': 'application/json',
    [HEADER_CACHE]: 'bypass',
    ...e.headers,
  });
}

/** An error thrown deep in the pipeline that must reach the client as this exact answer. */
export class GatewayError extends Error {
  constructor(readonly init: ErrorInit) {
    super(init.message);
    this.name = 'GatewayError';
  }
}

export const badRequest = (message: string, param?: string, code = 'invalid_request') =>
  new GatewayError({ status: 400, type: 'invalid_request_error', message, param, code });
