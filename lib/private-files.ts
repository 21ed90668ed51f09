// Files that hold secrets (the local cloud's state, agent and gateway configs, key files, the
// local customer key) are owner-only: 0600 files in 0700 directories. Modes are set explicitly
// after creating, not only passed to open(): `mode` is ignored for a file that already exists and
// is narrowed by the umask, so a file once written 0644 would otherwise stay readable forever.
import { chmodSync, closeSync, fchmodSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** Creates `dir` (and missing parents) owner-only, and makes `dir` itself owner-only if it existed. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  chmodSync(dir, PRIVATE_DIR_MODE);
}

/**
 * Writes `data` to `path` atomically (a temp file renamed over it, so a reader never sees half a
 * file) with mode 0600 on every write, in an owner-only directory.
 */
export function writePrivateFileSync(path: string, data: string | Uint8Array): void {
  ensurePrivateDir(dirname(path));
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w', PRIVATE_FILE_MODE);
  try {
    fchmodSync(fd, PRIVATE_FILE_MODE);
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
