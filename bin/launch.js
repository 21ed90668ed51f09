// Shared launcher for the three programs. dist/ is built by `npm run build`, by `npm ci` in a
// clone (prepare), at pack time and by the test setup; nothing is compiled when a program starts,
// so a missing dist/ (e.g. a clone installed with --ignore-scripts) is an error naming the fix.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function launch(name) {
  const target = join(root, 'dist', `${name}.js`);
  if (!existsSync(target)) {
    process.stderr.write(`${name === 'agent' ? 'gpuarb-agent' : `gpuarb-${name}`}: not built yet (run \`npm run build\` in ${root})\n`);
    process.exit(1);
  }
  const mod = await import(pathToFileURL(target).href);
  await mod.main(process.argv.slice(2));
}
