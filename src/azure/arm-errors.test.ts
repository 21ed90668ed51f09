import { describe, expect, it } from 'vitest';
import { AzureError, NotAuthenticatedError } from '../core/errors.js';
import { ARM_ERROR_HINTS, GENERIC_ARM_HINT, toAzureError } from './arm-errors.js';

const restError = (status: number, code: string, message: string) => ({
  name: 'RestError',
  message,
  statusCode: status,
  code,
  response: {
    headers: { get: (h: string) => (h === 'x-ms-request-id' ? 'req-123' : undefined) },
    bodyAsText: JSON.stringify({ error: { code, message } }),
  },
});

describe('ARM error hints', () => {
  it.each([
    'QuotaExceeded',
    'SkuNotAvailable',
    'AllocationFailed',
    'ZonalAllocationFailed',
    'OperationNotAllowed',
    'AuthorizationFailed',
    'InvalidAuthenticationToken',
    'ResourceGroupNotFound',
  ])('%s has its own hint', (code) => {
    const e = toAzureError(restError(409, code, 'boom'), '/subscriptions/x') as AzureError;
    expect(e).toBeInstanceOf(AzureError);
    expect(e.code).toBe(code);
    expect(e.hint).toBe(ARM_ERROR_HINTS[code]);
    expect(e.hint).not.toBe(GENERIC_ARM_HINT);
    expect(e.requestId).toBe('req-123');
    expect(e.status).toBe(409);
  });

  it('falls back to a generic hint for unknown codes', () => {
    expect((toAzureError(restError(400, 'SomethingNew', 'x')) as AzureError).hint).toBe(GENERIC_ARM_HINT);
  });

  it('maps a rejected token to exit 4 and a missing credential to NotAuthenticated', () => {
    expect((toAzureError(restError(401, 'InvalidAuthenticationToken', 'bad token')) as AzureError).exitCode).toBe(4);
    const e = toAzureError(Object.assign(new Error('none'), { name: 'CredentialUnavailableError' }));
    expect(e).toBeInstanceOf(NotAuthenticatedError);
    expect((e as NotAuthenticatedError).exitCode).toBe(4);
  });
});

describe('ARM error catalogue', () => {
  it('gives every code a hint, and the retry logic reads the same table', async () => {
    const { ARM_ERROR_CATALOGUE, armRetryClass } = await import('./arm-errors.js');
    for (const [code, entry] of Object.entries(ARM_ERROR_CATALOGUE)) {
      expect(entry.hint.length, code).toBeGreaterThan(20);
      expect(armRetryClass(code)).toBe(entry.retry);
    }
  });
});
