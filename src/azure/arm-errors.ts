// The one ARM error catalogue: each code Azure (or the local cloud) answers with maps to whether
// retrying can help and to the hint an operator sees. The step retry (src/provision/retry.ts),
// the long-running loops (log tail, waits) and the error rendering all read it. RestError from
// @azure/core-rest-pipeline is duck-typed so this file imports no SDK. Tested: every code has a hint.
import { AzureError, NotAuthenticatedError } from '../core/errors.js';

export const GENERIC_ARM_HINT = 'Rerun with --verbose for the full Azure response; `gpuarb plan` shows what is left to apply.';

/**
 * permanent: will not get better by retrying within one run (surface it with its hint).
 * transient: worth retrying. Absent: the HTTP status decides (see isRetryable).
 */
export type ArmRetryClass = 'transient' | 'permanent';

export interface ArmErrorEntry {
  retry?: ArmRetryClass;
  hint: string;
}

export const ARM_ERROR_CATALOGUE: Readonly<Record<string, ArmErrorEntry>> = {
  QuotaExceeded: {
    retry: 'permanent',
    hint:
      'The vCPU quota for this VM family in this region is too low. Request more in the portal ' +
      '(Subscriptions → Usage + quotas; Spot uses the "Total Regional Spot vCPUs" quota), ' +
      "or lower the pool's capacity, or pick another region.",
  },
  OperationNotAllowed: {
    retry: 'permanent',
    hint:
      'Azure refused the operation as requested: often a quota (read the message for the limit), or a change Azure ' +
      'does not allow in place (e.g. turning Spot on for an existing scale set: delete the pool and recreate it).',
  },
  SkuNotAvailable: {
    retry: 'permanent',
    hint:
      'This VM size is not offered in the chosen region or zone for your subscription. Pick another zone or region in ' +
      'the pool config, or another SKU; `gpuarb cost` lists where the SKU is offered.',
  },
  AllocationFailed: {
    retry: 'permanent',
    hint: 'Azure has no capacity for this VM size right now. Retry later, allow more zones, set an on-demand floor (spot.regularBase), or use another region.',
  },
  ZonalAllocationFailed: {
    retry: 'permanent',
    hint: 'No capacity in the requested zone. Add more zones to the pool (spot.zones) or retry later.',
  },
  AuthorizationFailed: {
    retry: 'permanent',
    hint:
      'The signed-in identity lacks a role on this scope. Ask for Contributor (and User Access Administrator for role ' +
      'assignments) on the subscription or resource group.',
  },
  InvalidAuthenticationToken: {
    retry: 'permanent',
    hint:
      'The access token was rejected. Sign in again with `az login` (or refresh the service principal secret); for ' +
      'the local cloud, run `gpuarb local start`.',
  },
  AuthenticationFailed: {
    retry: 'permanent',
    hint: 'Authentication failed. Sign in again with `az login`; for the local cloud, run `gpuarb local start`.',
  },
  ResourceGroupNotFound: {
    hint: 'The resource group does not exist (yet). Run `gpuarb up` to create the stack, or check the stack name and subscription.',
  },
  ResourceNotFound: { hint: 'The resource does not exist. Run `gpuarb plan` to see what is missing, then `gpuarb up`.' },
  ParentResourceNotFound: { hint: 'A parent resource is missing. Run `gpuarb up` again: it creates parents before children.' },
  SubscriptionNotFound: {
    hint: 'The subscription id is wrong or not visible to this identity. Check `subscription` in gpuarb.yaml or AZURE_SUBSCRIPTION_ID.',
  },
  MissingSubscriptionRegistration: {
    retry: 'permanent',
    hint: 'The subscription is not registered for this resource provider. Register it: `az provider register --namespace <Namespace>` (named in the message).',
  },
  InvalidTemplateDeployment: {
    retry: 'permanent',
    hint: 'Azure rejected the resource body. Rerun with --verbose and check the message; report it if the body came from gpuarb.',
  },
  // Malformed or disallowed bodies: the message says what; the generic hint says how to see it.
  InvalidTemplate: { retry: 'permanent', hint: GENERIC_ARM_HINT },
  InvalidRequestContent: { retry: 'permanent', hint: GENERIC_ARM_HINT },
  BadRequest: { retry: 'permanent', hint: GENERIC_ARM_HINT },
  LinkedInvalidPropertyId: { retry: 'permanent', hint: GENERIC_ARM_HINT },
  CannotChangeInPlace: { retry: 'permanent', hint: GENERIC_ARM_HINT },
  Conflict: { hint: 'Another operation is in progress on this resource. Wait a minute and rerun; gpuarb converges.' },
  VaultAlreadyExists: {
    retry: 'permanent',
    hint: 'A Key Vault with this name exists (possibly soft-deleted). Recover it or purge it (`gpuarb down --purge`), or change the stack name.',
  },
  ServiceAlreadyExistsInSoftDeletedState: {
    retry: 'permanent',
    hint:
      'An API Management service with this name was deleted less than 48 hours ago and is soft-deleted. `gpuarb up` restores ' +
      "the stack's own; for another one, restore or purge it (DELETE …/locations/{location}/deletedservices/{name}), or choose another stack name.",
  },
  ConflictError: {
    hint: 'The name is taken or the resource is busy. Globally unique names derive from the stack name: choose another stack name.',
  },
  StorageAccountAlreadyTaken: {
    retry: 'permanent',
    hint: 'The storage account name is taken globally. Choose another stack name (names derive from it).',
  },
  TooManyRequests: { hint: 'Azure is throttling requests. gpuarb already retried; wait a minute and rerun.' },
  RequestDisallowedByPolicy: {
    retry: 'permanent',
    hint: 'An Azure Policy forbids this resource. Ask your platform team which policy and adjust tags, SKU or region.',
  },
};

/** The hints alone, code → hint (what the error rendering shows). */
export const ARM_ERROR_HINTS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(ARM_ERROR_CATALOGUE).map(([code, e]) => [code, e.hint]),
);

export function hintForArmCode(code: string): string {
  return ARM_ERROR_CATALOGUE[code]?.hint ?? GENERIC_ARM_HINT;
}

export function armRetryClass(code: string): ArmRetryClass | undefined {
  return ARM_ERROR_CATALOGUE[code]?.retry;
}

/** Node and SDK codes of a dropped or refused connection, a DNS hiccup or a socket timeout. */
const TRANSIENT_NETWORK_CODES: readonly string[] = [
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EPIPE',
  'UND_ERR_SOCKET',
  'REQUEST_SEND_ERROR',
];

export function isTransientNetworkError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && TRANSIENT_NETWORK_CODES.includes(code);
}

/**
 * Which failures a long-running loop (a log tail, a wait) rides out: throttling, server errors,
 * timeouts and dropped connections. Anything else (a bad query, 401/403, 404) stops it.
 */
export function isTransient(e: unknown): boolean {
  const x = e as { statusCode?: number; status?: number; name?: string };
  const status = x?.statusCode ?? x?.status;
  if (typeof status === 'number') return status === 408 || status === 429 || status >= 500;
  return isTransientNetworkError(e) || x?.name === 'TimeoutError';
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
