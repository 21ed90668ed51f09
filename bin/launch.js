// Shared launcher for the three programs. dist/ is built by `npm ci` (prepare) and by the
// test setup; a clone whose dist/ is missing (e.g. installed with --ignore-scripts) builds
// it on first use instead of failing.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function launch(name) {
  const target = join(root, 'dist', `${name}.js`);
  if (!existsSync(target)) {
    const { build } = await import(pathToFileURL(join(root, 'scripts', 'build.mjs')).href);
    await build({ quiet: true });
  }
  if (!existsSync(target)) {
    process.stderr.write(`${name === 'agent' ? 'gpuarb-agent' : `gpuarb-${name}`}: not built yet\n`);
    process.exit(1);
  }
  const mod = await import(pathToFileURL(target).href);
  await mod.main(process.argv.slice(2));
}
