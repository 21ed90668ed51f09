// Reads the deployable code that `npm run build` wrote into dist/artifacts/ (the gateway's
// Functions package and the agent bundle, see scripts/artifacts/): the CLI never compiles
// anything itself. Each file is checked against the sha256 its manifest records, so a
// half-rebuilt or edited dist/ is caught before it is uploaded under a content-addressed name.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packagePath } from '../../lib/package-root.js';
import { UserError } from '../core/errors.js';

/** One entry of dist/artifacts/manifest.json, as scripts/artifacts/build-artifacts.mjs writes it. */
interface ManifestEntry {
  name: string;
  sha256: string;
  size: number;
  /** Relative to the artifacts directory. */
  path: string;
}

export interface BuiltArtifact {
  sha256: string;
  data: Buffer;
}

export type ArtifactName = 'gateway' | 'agent';

const REBUILD_HINT = 'Run `npm run build` in the gpuarb package (it writes dist/artifacts/), or pass --skip-code (infrastructure only).';

export function readBuiltArtifacts(dir = packagePath('dist', 'artifacts')): Record<ArtifactName, BuiltArtifact> {
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) {
    throw new UserError(`the deployable code is not built: ${manifestPath} is missing`, { code: 'ArtifactsNotBuilt', hint: REBUILD_HINT });
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { artifacts?: ManifestEntry[] };
  const read = (name: ArtifactName): BuiltArtifact => {
    const entry = manifest.artifacts?.find((a) => a.name === name);
    const path = entry ? join(dir, entry.path) : undefined;
    if (!entry || !path || !existsSync(path)) {
      throw new UserError(`the deployable code is incomplete: no ${name} artifact in ${dir}`, {
        code: 'ArtifactsNotBuilt',
        hint: REBUILD_HINT,
      });
    }
    const data = readFileSync(path);
    const sha256 = createHash('sha256').update(data).digest('hex');
    if (sha256 !== entry.sha256 || data.length !== entry.size) {
      throw new UserError(`${path} does not match its manifest (sha256 or size differs)`, { code: 'ArtifactsStale', hint: REBUILD_HINT });
    }
    return { sha256, data };
  };
  return { gateway: read('gateway'), agent: read('agent') };
}
