// The gateway's refusals as answers in OpenAI's error shape (contracts/openai-error.ts).
import { HEADER_CACHE } from '../contracts/headers.js';
import { openAIErrorJson, type OpenAIErrorFields } from '../contracts/openai-error.js';
import { answer, type Answer } from './answer.js';

export interface ErrorInit extends OpenAIErrorFields {
  status: number;
  headers?: Record<string, string>;
}

export function errorAnswer(e: ErrorInit): Answer {
  return answer(e.status, Buffer.from(openAIErrorJson(e)), {
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
