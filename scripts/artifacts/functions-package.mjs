// Builds the Azure Functions zip that gpuarb deploys with one-deploy (Flex Consumption): the
// function app bundled by esbuild into one CommonJS file (no node_modules to ship), host.json
// and package.json. The zip is deterministic (fixed timestamps, fixed order, paths relative to
// the package root whatever the cwd), so the same source gives the same sha256 and an unchanged
// gateway is not redeployed. Runs at build time only (scripts/build.mjs).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipFiles } from './zip.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const FUNCTIONS_HOST_JSON = {
  version: '2.0',
  logging: { applicationInsights: { samplingSettings: { isEnabled: true, excludedTypes: 'Request' } } },
  extensionBundle: { id: 'Microsoft.Azure.Functions.ExtensionBundle', version: '[4.*, 5.0.0)' },
  // No "/api" prefix: the app serves /v1/... and /health/... exactly like the standalone server.
  extensions: { http: { routePrefix: '' }, queues: { maxDequeueCount: 10, visibilityTimeout: '00:00:05' } },
};

/** @param {string} outZip @returns {Promise<{ path: string, sha256: string }>} */
export async function buildFunctionsPackage(outZip) {
  const result = await build({
    absWorkingDir: root,
    entryPoints: [join(root, 'gateway', 'functions', 'index.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    write: false,
    minify: false,
    legalComments: 'none',
    // Provided by the Functions Node worker at run time.
    external: ['@azure/functions-core'],
    logLevel: 'error',
    // Bundled ESM sources use import.meta.url; give CJS an equivalent.
    define: { 'import.meta.url': 'importMetaUrl' },
    banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
  });
  const js = result.outputFiles[0].contents;
  const pkg = { name: 'gpuarb-gateway-functions', version: '1.0.0', private: true, main: 'dist/index.js', type: 'commonjs' };
  const zip = zipFiles([
    { name: 'host.json', data: Buffer.from(JSON.stringify(FUNCTIONS_HOST_JSON, null, 2)) },
    { name: 'package.json', data: Buffer.from(JSON.stringify(pkg, null, 2)) },
    { name: 'dist/index.js', data: Buffer.from(js) },
  ]);
  mkdirSync(dirname(outZip), { recursive: true });
  writeFileSync(outZip, zip);
  return { path: outZip, sha256: createHash('sha256').update(zip).digest('hex') };
}
