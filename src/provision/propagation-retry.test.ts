import { describe, expect, it } from 'vitest';
import { AzureError } from '../core/errors.js';
import { isKeyVaultAccessRefusal, retryWhileKeyVaultAccessPropagates } from './propagation-retry.js';

const refusal = () =>
  new AzureError(
    "Key Vault secret 'https://kv.vault.azure.net/secrets/x' could not be fetched with identity 'c1': Forbidden, the caller is not authorized to get the secret.",
    { armCode: 'ValidationError', status: 400 },
  );

describe('retry while Key Vault access propagates', () => {
  it('recognises the refusal, and nothing else', () => {
    expect(isKeyVaultAccessRefusal(refusal())).toBe(true);
    expect(isKeyVaultAccessRefusal(new AzureError('publisherEmail is required', { armCode: 'ValidationError', status: 400 }))).toBe(false);
    expect(isKeyVaultAccessRefusal(new AzureError('Key Vault Forbidden', { armCode: 'Conflict', status: 409 }))).toBe(false);
    expect(isKeyVaultAccessRefusal(new Error('Key Vault forbidden'))).toBe(false);
  });

  it('retries the refusal until the write goes through', async () => {
    let calls = 0;
    const r = await retryWhileKeyVaultAccessPropagates(
      async () => {
        if (++calls < 3) throw refusal();
        return 'ok';
      },
      undefined,
      { boundMs: 1000, firstDelayMs: 1, maxDelayMs: 2 },
    );
    expect([r, calls]).toEqual(['ok', 3]);
  });

  it('gives up at the bound with a hint, and never retries another error', async () => {
    let calls = 0;
    await expect(
      retryWhileKeyVaultAccessPropagates(
        async () => {
          calls++;
          throw refusal();
        },
        undefined,
        { boundMs: 30, firstDelayMs: 5, maxDelayMs: 10 },
      ),
    ).rejects.toMatchObject({
      code: 'ValidationError',
      hint: expect.stringMatching(/Key Vault Secrets User/),
      message: /still refused after/,
    });
    expect(calls).toBeGreaterThan(1);
    let other = 0;
    await expect(
      retryWhileKeyVaultAccessPropagates(async () => {
        other++;
        throw new AzureError('bad body', { armCode: 'ValidationError', status: 400 });
      }),
    ).rejects.toMatchObject({ message: 'bad body' });
    expect(other).toBe(1);
  });
});
