// Maps ARM errors (RestError from @azure/core-rest-pipeline, duck-typed so this file imports no
// SDK) to AzureError with a hint from one table. The table is tested: every code has a hint.
import { AzureError, NotAuthenticatedError } from '../core/errors.js';

export const ARM_ERROR_HINTS: Readonly<Record<string, string>> = {
  QuotaExceeded:
    'The vCPU quota for this VM family in this region is too low. Request more in the portal (Subscriptions → Usage + quotas; Spot uses the "Total Regional Spot vCPUs" quota), or lower the pool\'s capacity, or pick another region.',
  OperationNotAllowed:
    'Azure refused the operation as requested: often a quota (read the message for the limit), or a change Azure does not allow in place (e.g. turning Spot on for an existing scale set: delete the pool and recreate it).',
  SkuNotAvailable:
    'This VM size is not offered in the chosen region or zone for your subscription. Pick another zone or region in the pool config, or another SKU; `gpuarb cost` lists where the SKU is offered.',
  AllocationFailed:
    'Azure has no capacity for this VM size right now. Retry later, allow more zones, set an on-demand floor (spot.regularBase), or use another region.',
  ZonalAllocationFailed: 'No capacity in the requested zone. Add more zones to the pool (spot.zones) or retry later.',
  AuthorizationFailed:
    'The signed-in identity lacks a role on this scope. Ask for Contributor (and User Access Administrator for role assignments) on the subscription or resource group.',
  InvalidAuthenticationToken:
    'The access token was rejected. Sign in again with `az login` (or refresh the service principal secret); for the local cloud, run `gpuarb local start`.',
  AuthenticationFailed: 'Authentication failed. Sign in again with `az login`; for the local cloud, run `gpuarb local start`.',
  ResourceGroupNotFound:
    'The resource group does not exist (yet). Run `gpuarb up` to create the stack, or check the stack name and subscription.',
  ResourceNotFound: 'The resource does not exist. Run `gpuarb plan` to see what is missing, then `gpuarb up`.',
  ParentResourceNotFound: 'A parent resource is missing. Run `gpuarb up` again: it creates parents before children.',
  SubscriptionNotFound:
    'The subscription id is wrong or not visible to this identity. Check `subscription` in gpuarb.yaml or AZURE_SUBSCRIPTION_ID.',
  MissingSubscriptionRegistration:
    'The subscription is not registered for this resource provider. Register it: `az provider register --namespace <Namespace>` (named in the message).',
  InvalidTemplateDeployment:
    'Azure rejected the resource body. Rerun with --verbose and check the message; report it if the body came from gpuarb.',
  Conflict: 'Another operation is in progress on this resource. Wait a minute and rerun; gpuarb converges.',
  VaultAlreadyExists:
    'A Key Vault with this name exists (possibly soft-deleted). Recover it or purge it (`gpuarb down --purge`), or change the stack name.',
  ConflictError: 'The name is taken or the resource is busy. Globally unique names derive from the stack name: choose another stack name.',
  StorageAccountAlreadyTaken: 'The storage account name is taken globally. Choose another stack name (names derive from it).',
  TooManyRequests: 'Azure is throttling requests. gpuarb already retried; wait a minute and rerun.',
  RequestDisallowedByPolicy: 'An Azure Policy forbids this resource. Ask your platform team which policy and adjust tags, SKU or region.',
};

export const GENERIC_ARM_HINT = 'Rerun with --verbose for the full Azure response; `gpuarb plan` shows what is left to apply.';

export function hintForArmCode(code: string): string {
  return ARM_ERROR_HINTS[code] ?? GENERIC_ARM_HINT;
}

interface RestErrorLike {
  name?: string;
  message?: string;
  code?: string;
  statusCode?: number;
  response?: { headers?: { get?(name: string): string | undefined }; bodyAsText?: string | null };
  details?: unknown;
}

function isRestErrorLike(e: unknown): e is RestErrorLike {
  return typeof e === 'object' && e !== null && ((e as RestErrorLike).name === 'RestError' || 'statusCode' in e);
}

/** Turns anything an SDK threw into an AzureError (or NotAuthenticatedError for credential failures). */
export function toAzureError(e: unknown, resourceId?: string): Error {
  if (e instanceof AzureError) return e;
  const name = (e as { name?: string } | null)?.name ?? '';
  if (name === 'CredentialUnavailableError' || name === 'AggregateAuthenticationError' || name === 'AuthenticationRequiredError') {
    return new NotAuthenticatedError('No Azure credential was found.', { cause: e });
  }
  if (!isRestErrorLike(e)) return e instanceof Error ? e : new Error(String(e));
  const body = parseBody(e);
  const code = body?.code ?? e.code ?? (e.statusCode === 429 ? 'TooManyRequests' : `Http${e.statusCode ?? 'Error'}`);
  const message = body?.message ?? e.message ?? 'Azure returned an error';
  const requestId = e.response?.headers?.get?.('x-ms-request-id');
  const err = new AzureError(message, { armCode: code, status: e.statusCode, requestId, resourceId, hint: hintForArmCode(code), cause: e });
  if (code === 'InvalidAuthenticationToken' || code === 'AuthenticationFailed' || e.statusCode === 401) {
    err.exitCode = 4;
  }
  return err;
}

function parseBody(e: RestErrorLike): { code?: string; message?: string } | undefined {
  const d = e.details as { error?: { code?: string; message?: string } } | undefined;
  if (d?.error?.code) return d.error;
  const text = e.response?.bodyAsText;
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as { error?: { code?: string; message?: string } };
    return parsed.error;
  } catch {
    return undefined;
  }
}
