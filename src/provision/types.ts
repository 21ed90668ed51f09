// The desired-state graph: what `up` converges ARM to. Built by pure functions from the stack
// spec (desired/…), read by plan (diff) and apply (write). Bodies are the REST wire shape — the
// exact JSON ARM receives — so they can be checked against Microsoft's REST specs directly.

/**
 * A value ARM computes that another body needs (a principalId, an endpoint, a connection
 * string). Resolved at apply time from the dependency's GET, like ARM templates' reference().
 */
export interface ArmRef {
  $ref: { id: string; path: string; prefix?: string; suffix?: string };
}

/**
 * A text with `{{NAME}}` placeholders filled from refs at apply time, then encoded: cloud-init
 * needs the identity's client id and the stack's endpoints, which only ARM knows.
 */
export interface ArmTemplate {
  $template: { text: string; vars: Record<string, ArmRef>; encoding: 'base64' | 'utf8' };
}

/** A code package deployed into a resource (Functions one-deploy from a blob). */
export interface CodeDeployment {
  kind: 'onedeploy';
  targetId: string;
  hash: string;
  blobName: string;
  packageUri: ArmRef;
}

export interface DesiredResource {
  /** Full ARM id (the case written here is the case we create with). */
  id: string;
  /** e.g. "Microsoft.Compute/virtualMachineScaleSets" */
  type: string;
  apiVersion: string;
  /** REST wire body; may contain ArmRef objects anywhere in place of a value. */
  body: Record<string, unknown>;
  /** Ids that must exist (and be resolved) before this one is written. */
  dependsOn: string[];
  /**
   * Dotted field paths of `body` that gpuarb owns: plan diffs only these (a path owns its whole
   * subtree). Anything else ARM returns (server-set fields, defaults) is never a change.
   */
  owned: string[];
  /** A Key Vault secret: its value is generated at apply time, only when it does not exist. */
  secret?: { kind: 'random' | 'ssh-ed25519' };
  /** Paths that may only be set at creation (ARM rejects or ignores later changes). */
  createOnly?: string[];
  /**
   * Code deployment instead of a PUT of `body`, because code is part of the desired state: the
   * step is pending when the target's `gpuarb-code` tag differs from `hash`; apply uploads and
   * deploys, then tags the target.
   */
  deploy?: CodeDeployment;
  /** Short label for rendering, e.g. "vmss/phi3". */
  label: string;
}

export interface DesiredGraph {
  stack: string;
  subscriptionId: string;
  resourceGroupId: string;
  location: string;
  /** Topologically ordered (dependencies before dependents). */
  resources: DesiredResource[];
}

export const TAG_MANAGED_BY = 'managed-by';
export const TAG_STACK = 'gpuarb-stack';
/** Content hash of code deployed into a resource (function package, agent bundle). */
export const TAG_CODE_HASH = 'gpuarb-code';
/** The OpenSSH public key of the generated VMSS key pair, kept on the private-key secret. */
export const TAG_SSH_PUBLIC_KEY = 'ssh-public-key';
