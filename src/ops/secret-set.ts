// `gpuarb secrets set NAME`: stores an operator-supplied secret (the model-hub token the VM
// bootstrap reads as `hf-token`, for one) as a new version in the stack's Key Vault. The value
// comes from stdin or a file, never argv (every local user can read a process's arguments), and
// nothing of it is printed: it is registered with the redactor before any output.
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Context } from '../core/context.js';
import { UserError } from '../core/errors.js';
import { arm, isNotFound, secretClient, vaultUrl } from './azure-clients.js';
import { ROTATABLE } from './secrets.js';
import { loadStack } from './stack.js';

/**
 * Key Vault stores a secret value of at most 25 KB (learn.microsoft.com/azure/key-vault/secrets/about-secrets);
 * 25,000 bytes is under that whichever KB is meant.
 */
export const MAX_SECRET_BYTES = 25_000;
/** Key Vault secret names: 1–127 letters, digits and dashes (Azure resource naming rules). */
const NAME = /^[0-9A-Za-z-]{1,127}$/;
/** Secrets gpuarb generates itself: `secrets rotate` replaces them, a hand-set value would break the overlap. */
const GENERATED = [...ROTATABLE, 'vmss-ssh-private-key'];

const HINT = 'Pipe the value in (`gpuarb secrets set hf-token < token.txt`) or pass --from-file FILE.';

export interface SetSecretResult {
  name: string;
  version: string;
  /** The version this one replaces as current, or null when the secret is new. */
  previousVersion: string | null;
  vault: string;
}

/** Reads at most MAX_SECRET_BYTES + 1 bytes, so an over-long input is refused without reading it all. */
async function readCapped(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    chunks.push(b);
    size += b.length;
    if (size > MAX_SECRET_BYTES) break;
  }
  return Buffer.concat(chunks);
}

/** The value from --from-file or stdin, checked; trailing newlines (from `echo`, editors) are dropped. */
export async function readSecretValue(ctx: Context, fromFile: string | undefined): Promise<string> {
  let raw: Buffer;
  let where: string;
  if (fromFile !== undefined) {
    const path = resolve(ctx.cwd, fromFile);
    where = `the file ${fromFile}`;
    try {
      const s = await stat(path);
      if (!s.isFile()) throw new Error('not a regular file');
      raw = s.size > MAX_SECRET_BYTES ? Buffer.alloc(s.size) : await readFile(path);
    } catch (e) {
      throw new UserError(`Cannot read ${where}: ${(e as Error).message}`, { code: 'UsageError', hint: HINT });
    }
  } else {
    if (ctx.io.stdin.isTTY)
      throw new UserError('No value: stdin is a terminal, and a secret typed there would be echoed.', { code: 'UsageError', hint: HINT });
    where = 'stdin';
    raw = await readCapped(ctx.io.stdin);
  }
  if (raw.length > MAX_SECRET_BYTES)
    throw new UserError(`The value on ${where} is over ${MAX_SECRET_BYTES} bytes, more than Key Vault stores in a secret (25 KB).`, {
      code: 'SecretTooLarge',
      hint: 'Check that the right file is given; a token is a few hundred bytes at most.',
    });
  const value = raw.toString('utf8').replace(/[\r\n]+$/, '');
  ctx.secrets.register(value);
  if (!value.trim())
    throw new UserError(`The value on ${where} is empty (or only whitespace).`, {
      code: 'EmptySecret',
      hint: `${HINT} Nothing was written.`,
    });
  return value;
}

/** Refuses a name Key Vault would reject, or one gpuarb generates itself (checked before reading the value). */
export function checkSettableName(name: string): void {
  if (!NAME.test(name))
    throw new UserError(`"${name}" is not a Key Vault secret name.`, {
      code: 'UsageError',
      hint: 'Secret names are 1–127 letters, digits and dashes, e.g. hf-token.',
    });
  if (GENERATED.includes(name))
    throw new UserError(`gpuarb generates ${name} itself; setting it by hand would skip the rotation overlap.`, {
      code: 'GeneratedSecret',
      hint: ROTATABLE.includes(name as (typeof ROTATABLE)[number]) ? `Use \`gpuarb secrets rotate ${name}\`.` : 'Leave it to `gpuarb up`.',
    });
}

export async function setSecret(ctx: Context, name: string, value: string): Promise<SetSecretResult> {
  checkSettableName(name);
  ctx.secrets.register(value);
  const stack = await loadStack(ctx);
  const url = await vaultUrl(stack.target, stack.resourceGroup, stack.names.keyVault);
  const c = await secretClient(stack.target, url);
  let previousVersion: string | null = null;
  try {
    previousVersion = (await c.getSecret(name)).properties.version ?? null;
  } catch (e) {
    if (!isNotFound(e)) await arm(Promise.reject(e)); // rethrown as an Azure error with its code and hint
  }
  const created = await arm(c.setSecret(name, value, { contentType: 'text/plain' }));
  return { name, version: created.properties.version ?? '', previousVersion, vault: stack.names.keyVault };
}
