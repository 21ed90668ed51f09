// The gateway trusts only API Management: every request must carry the backend secret and the
// customer id that the APIM policy adds. The customer id becomes part of Cosmos ids and cache
// keys, so it is also checked for shape.
import { HEADER_BACKEND_KEY, HEADER_CUSTOMER } from '../contracts/headers.js';
import { GatewayError } from './errors.js';
import { matchesAny, type SecretSource } from './secrets.js';
import type { HeaderReader } from './gateway-request.js';

const CUSTOMER_ID = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;

/** Returns the customer id, or throws a 401 (no or wrong secret) / 400 (malformed customer). */
export async function authenticate(headers: HeaderReader, backend: SecretSource): Promise<string> {
  const presented = headers.get(HEADER_BACKEND_KEY);
  if (!presented) throw unauthorized(`missing ${HEADER_BACKEND_KEY}`);
  if (!matchesAny(presented, await backend.values())) {
    backend.noteMismatch?.();
    throw unauthorized('invalid backend key');
  }
  const customer = headers.get(HEADER_CUSTOMER);
  if (!customer) throw unauthorized(`missing ${HEADER_CUSTOMER}`);
  if (!CUSTOMER_ID.test(customer)) {
    throw new GatewayError({
      status: 400,
      type: 'invalid_request_error',
      code: 'invalid_customer',
      message: `malformed ${HEADER_CUSTOMER}`,
    });
  }
  return customer;
}

function unauthorized(message: string): GatewayError {
  // The message stays vague about which secret; APIM shields clients from this answer anyway.
  return new GatewayError({ status: 401, type: 'authentication_error', code: 'unauthorized', message: `unauthorized: ${message}` });
}
