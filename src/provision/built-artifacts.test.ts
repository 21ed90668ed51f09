// The CLI takes the deployable code from dist/artifacts/ as built, and says how to build it when
// it is missing or does not match its manifest.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../core/errors.js';
import { readBuiltArtifacts } from './built-artifacts.js';

const dir = mkdtempSync(join(tmpdir(), 'gpuarb-artifacts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function writeManifest(files: Record<string, Buffer>, tamper?: string) {
  const artifacts = Object.entries(files).map(([name, data]) => {
    writeFileSync(join(dir, `${name}.bin`), data);
    return { name, sha256: name === tamper ? sha(Buffer.from('other')) : sha(data), size: data.length, path: `${name}.bin` };
  });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ artifacts }));
}

describe('readBuiltArtifacts', () => {
  it('reads the package that npm run build wrote', () => {
    const built = readBuiltArtifacts();
    expect(built.gateway.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(built.agent.sha256).toBe(sha(built.agent.data));
  });

  it('names npm run build when the manifest is missing', () => {
    const empty = mkdtempSync(join(dir, 'empty-'));
    const err = (() => {
      try {
        readBuiltArtifacts(empty);
      } catch (e) {
        return e as UserError;
      }
    })();
    expect(err).toBeInstanceOf(UserError);
    expect(err?.code).toBe('ArtifactsNotBuilt');
    expect(err?.hint).toContain('npm run build');
  });

  it('returns each file with its sha256, and refuses one that differs from the manifest', () => {
    const gateway = Buffer.from('zip bytes');
    const agent = Buffer.from('agent bytes');
    writeManifest({ gateway, agent });
    const built = readBuiltArtifacts(dir);
    expect(built.gateway).toEqual({ sha256: sha(gateway), data: gateway });
    expect(built.agent.sha256).toBe(sha(agent));
    writeManifest({ gateway, agent }, 'agent');
    expect(() => readBuiltArtifacts(dir)).toThrow(/does not match its manifest/);
    writeManifest({ gateway });
    expect(() => readBuiltArtifacts(dir)).toThrow(/no agent artifact/);
  });
});
