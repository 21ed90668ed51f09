// The code gpuarb deploys (the gateway's Functions package, the agent bundle) is built here, at
// build and pack time, never when `plan`/`up` run: the installed CLI only reads these files and
// the manifest beside them (src/provision/artifacts.ts). The manifest carries each file's sha256,
// from which provisioning derives the content-addressed blob names.
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAgentBundle } from './agent-bundle.mjs';
import { buildFunctionsPackage } from './functions-package.mjs';

export const ARTIFACTS_DIR = 'artifacts';
export const MANIFEST_FILE = 'manifest.json';

/** @param {string} outDir @returns {Promise<{ artifacts: { name: string, sha256: string, size: number, path: string }[] }>} */
export async function buildArtifacts(outDir) {
  const [gateway, agent] = await Promise.all([
    buildFunctionsPackage(join(outDir, 'gateway.zip')),
    buildAgentBundle(join(outDir, 'agent.mjs')),
  ]);
  const manifest = {
    artifacts: [
      { name: 'gateway', sha256: gateway.sha256, size: statSync(gateway.path).size, path: 'gateway.zip' },
      { name: 'agent', sha256: agent.sha256, size: agent.bytes, path: 'agent.mjs' },
    ],
  };
  writeFileSync(join(outDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
