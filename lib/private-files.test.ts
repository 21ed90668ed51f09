import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensurePrivateDir, writePrivateFileSync } from './private-files.js';

const mode = (p: string) => statSync(p).mode & 0o777;

describe('owner-only files', () => {
  it('writes 0600 files in 0700 directories, even over a world-readable file and directory', () => {
    const root = mkdtempSync(join(tmpdir(), 'private-'));
    const dir = join(root, 'state');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    const file = join(dir, 'secrets.json');
    writeFileSync(file, 'old', { mode: 0o644 });
    chmodSync(file, 0o644);
    const before = process.umask(0); // the most permissive umask: modes must not depend on it
    try {
      writePrivateFileSync(file, '{"secret":1}');
      writePrivateFileSync(join(dir, 'new', 'deeper', 'key.txt'), 'k');
    } finally {
      process.umask(before);
    }
    expect(readFileSync(file, 'utf8')).toBe('{"secret":1}');
    expect(mode(file)).toBe(0o600);
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, 'new'))).toBe(0o700);
    expect(mode(join(dir, 'new', 'deeper'))).toBe(0o700);
    expect(mode(join(dir, 'new', 'deeper', 'key.txt'))).toBe(0o600);
    ensurePrivateDir(root);
    expect(mode(root)).toBe(0o700);
  });
});
