// ARM's error envelope. Every failure the emulator answers is an ArmError so that the router can
// render `{ error: { code, message, details? } }` with the status code Azure uses for that code.

export interface ArmErrorBody {
  code: string;
  message: string;
  target?: string;
  details?: ArmErrorBody[];
}

export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: ArmErrorBody[],
    /** Extra response headers (e.g. Retry-After on 429). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ArmError';
  }

  toBody(): { error: ArmErrorBody } {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}

export function resourceGroupNotFound(rg: string): ArmError {
  return new ArmError(404, 'ResourceGroupNotFound', `Resource group '${rg}' could not be found.`);
}

/** The message ARM's front door uses for a GET of a missing tracked resource. */
export function resourceNotFound(type: string, name: string, rg: string): ArmError {
  return new ArmError(
    404,
    'ResourceNotFound',
    `The Resource '${type}/${name}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );
}

/** A child (e.g. sqlDatabases) created under a parent that does not exist. */
export function parentNotFound(parentPath: string): ArmError {
  return new ArmError(
    404,
    'ParentResourceNotFound',
    `Failed to perform 'write' on resource(s) of type '${parentPath}', because the parent resource '${parentPath}' could not be found.`,
  );
}
