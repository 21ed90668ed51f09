// Error classes with hints (docs/design.md conventions §6). Commands throw these; the one top-level
// handler in src/cli.ts renders them for humans or as {"error":{code,message,hint}} under --json.
import { ExitCode } from './exit-codes.js';

export abstract class GpuarbError extends Error {
  abstract readonly code: string;
  readonly hint?: string;
  exitCode: number = ExitCode.error;
  constructor(message: string, opts: { hint?: string; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.hint = opts.hint;
  }
  /** Extra fields for --json (never secrets). */
  details(): Record<string, unknown> {
    return {};
  }
}

/** Bad input from the user: flags, config, files. Says what to do in the hint. */
export class UserError extends GpuarbError {
  readonly code: string;
  constructor(message: string, opts: { hint?: string; cause?: unknown; code?: string; exitCode?: number } = {}) {
    super(message, opts);
    this.name = 'UserError';
    this.code = opts.code ?? 'UserError';
    if (opts.exitCode !== undefined) this.exitCode = opts.exitCode;
  }
}

/** No usable Azure credential: exit 4. */
export class NotAuthenticatedError extends GpuarbError {
  readonly code = 'NotAuthenticated';
  constructor(message: string, opts: { hint?: string; cause?: unknown } = {}) {
    super(message, {
      hint:
        opts.hint ??
        'Sign in with `az login`, or set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET, or run where a ' +
          'managed identity is available. For the local cloud, add --local.',
      cause: opts.cause,
    });
    this.name = 'NotAuthenticatedError';
    this.exitCode = ExitCode.notAuthenticated;
  }
}

/** An error answered by Azure Resource Manager (or the local cloud), with its ARM code. */
export class AzureError extends GpuarbError {
  readonly code: string;
  readonly status?: number;
  readonly requestId?: string;
  readonly resourceId?: string;
  constructor(
    message: string,
    opts: { armCode: string; status?: number; requestId?: string; resourceId?: string; hint?: string; cause?: unknown },
  ) {
    super(message, opts);
    this.name = 'AzureError';
    this.code = opts.armCode;
    this.status = opts.status;
    this.requestId = opts.requestId;
    this.resourceId = opts.resourceId;
  }
  override details(): Record<string, unknown> {
    return { status: this.status, requestId: this.requestId, resourceId: this.resourceId };
  }
}

/** The user pressed Ctrl-C; exit 130. */
export class CancelledError extends GpuarbError {
  readonly code = 'Cancelled';
  constructor(message = 'Cancelled.') {
    super(message, { hint: 'Nothing was left half-written: rerun the command to converge.' });
    this.name = 'CancelledError';
    this.exitCode = ExitCode.cancelled;
  }
}

/** Anything unexpected: a bug in gpuarb. */
export class BugError extends GpuarbError {
  readonly code = 'InternalError';
  constructor(message: string, cause?: unknown) {
    super(message, {
      hint: 'This is a bug in gpuarb. Rerun with --verbose and report the output (it contains no secrets).',
      cause,
    });
    this.name = 'BugError';
  }
}
