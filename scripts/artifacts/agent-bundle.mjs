// Builds the agent as ONE file to ship to a VM (uploaded to blob storage by provisioning, fetched
// by cloud-init with the managed identity). Everything is bundled except node-llama-cpp, whose
// native binaries cloud-init installs with npm next to the file. Runs at build time only
// (scripts/build.mjs; bench/agent.ts builds its own copy).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Packages left out of the bundle (native code); cloud-init runs `npm install` for them. */
export const AGENT_BUNDLE_EXTERNALS = ['node-llama-cpp', '@node-llama-cpp/*'];

/** @param {string} outFile @returns {Promise<{ path: string, sha256: string, bytes: number }>} */
export async function buildAgentBundle(outFile) {
  await build({
    absWorkingDir: root,
    entryPoints: [join(root, 'fleet-agent', 'main.ts')],
    outfile: outFile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: AGENT_BUNDLE_EXTERNALS,
    minify: false, // stack traces in journald stay readable
    legalComments: 'none',
    logLevel: 'error',
    // Bundled CommonJS dependencies (the Azure SDKs) call require() for Node built-ins.
    banner: {
      js: "#!/usr/bin/env node\nimport { createRequire as __gpuarbCreateRequire } from 'node:module';\nconst require = __gpuarbCreateRequire(import.meta.url);",
    },
  });
  const bytes = readFileSync(outFile);
  return { path: outFile, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = resolve(process.argv[2] ?? 'dist/gpuarb-agent.mjs');
  const result = await buildAgentBundle(out);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
