// Response helpers in OpenAI's shapes. Errors are always OpenAI's error shape
// (contracts/openai-error.ts), which the official clients parse into typed exceptions.
import type { ServerResponse } from 'node:http';
import { openAIErrorBody, type OpenAIErrorType } from '../../contracts/openai-error.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: OpenAIErrorType = 'invalid_request_error',
    readonly param: string | null = null,
    readonly code: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** 400 invalid_request_error naming the offending parameter. */
export function badRequest(message: string, param: string | null = null, code: string | null = 'invalid_value'): HttpError {
  return new HttpError(400, message, 'invalid_request_error', param, code);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendError(res: ServerResponse, err: HttpError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, err.status, openAIErrorBody(err), err.headers);
}

export function sendText(res: ServerResponse, status: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
