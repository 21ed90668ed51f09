// The Functions package: a deterministic zip with host.json, package.json and one bundled file
// that loads the @azure/functions app model and registers the HTTP and queue functions.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { buildFunctionsPackage } from './functions-package.mjs';

describe('buildFunctionsPackage', () => {
  it('writes a deterministic, loadable package', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-fn-'));
    const a = await buildFunctionsPackage(join(dir, 'a.zip'));
    const b = await buildFunctionsPackage(join(dir, 'b.zip'));
    expect(a.sha256).toBe(b.sha256);
    expect(createHash('sha256').update(readFileSync(a.path)).digest('hex')).toBe(a.sha256);
    // Unpack with the system's unzip-compatible reader: python's zipfile (always present here).
    const out = join(dir, 'x');
    mkdirSync(out);
    execFileSync('python3', ['-c', 'import sys,zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', a.path, out]);
    const host = JSON.parse(readFileSync(join(out, 'host.json'), 'utf8')) as {
      version: string;
      extensions: { http: { routePrefix: string } };
    };
    expect(host.version).toBe('2.0');
    expect(host.extensions.http.routePrefix).toBe('');
    expect(JSON.parse(readFileSync(join(out, 'package.json'), 'utf8')).main).toBe('dist/index.js');
    // Loading the bundle registers the functions with the app model (outside a Functions host
    // the library only records them), proving the bundle is complete and runs on Node 20.
    const probe = join(out, 'probe.cjs');
    writeFileSync(probe, "require('./dist/index.js'); console.log('loaded');");
    expect(execFileSync(process.execPath, [probe], { cwd: out, encoding: 'utf8', timeout: 30_000 })).toContain('loaded');
  }, 60_000);
});
