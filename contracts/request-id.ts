// The request id that correlates one request across API Management, gateway and agent logs
// (header HEADER_REQUEST_ID). A caller's id is kept when it is sane, so a client can find its
// own request in the logs; anything else (missing, too long, characters a log query would have
// to escape) is replaced by a fresh UUID.
import { randomUUID } from 'node:crypto';

/** 1 to 128 characters of letters, digits and `._:-`. */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's request id if it is sane, otherwise a new one. */
export function requestIdOrNew(given: unknown): string {
  return typeof given === 'string' && REQUEST_ID_PATTERN.test(given) ? given : randomUUID();
}
