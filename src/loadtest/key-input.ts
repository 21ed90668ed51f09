// Where `gpuarb loadtest --url` gets the customer key: the GPUARB_API_KEY environment variable or
// a file (--key-file; /dev/stdin reads a pipe). Never an argument: a process's argv is readable
// by every local user (`ps`, /proc/<pid>/cmdline) and lands in shell history and CI logs.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Context } from '../core/context.js';
import { UserError } from '../core/errors.js';

export const KEY_ENV = 'GPUARB_API_KEY';
/** A key file is a few hundred bytes at most; refusing more stops `--key-file` pointing at a big file. */
const MAX_KEY_FILE_BYTES = 4096;

const HINT = `Put the key in the ${KEY_ENV} environment variable, or in a file read with --key-file FILE (--key-file /dev/stdin reads it from a pipe).`;

export async function loadtestKey(ctx: Context, flags: { local?: boolean; key?: string; keyFile?: string }): Promise<string | undefined> {
  if (flags.key !== undefined)
    throw new UserError(
      '--key takes no value on the command line: every local user can read it there (ps), and shells and CI logs keep it.',
      {
        code: 'UsageError',
        hint: HINT,
      },
    );
  let key: string | undefined;
  if (flags.keyFile !== undefined) {
    const path = resolve(ctx.cwd, flags.keyFile);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      throw new UserError(`Cannot read the key file ${flags.keyFile}: ${(e as Error).message}`, { code: 'UsageError', hint: HINT });
    }
    if (Buffer.byteLength(text) > MAX_KEY_FILE_BYTES)
      throw new UserError(`The key file ${flags.keyFile} is over ${MAX_KEY_FILE_BYTES} bytes: not a key.`, {
        code: 'UsageError',
        hint: HINT,
      });
    key = text.trim();
    if (!key) throw new UserError(`The key file ${flags.keyFile} is empty.`, { code: 'UsageError', hint: HINT });
  } else if (!flags.local) key = ctx.env[KEY_ENV]?.trim() || undefined; // --local finds its own key
  if (key) ctx.secrets.register(key);
  return key;
}
