// The gpuarb package root (where bin/, templates and sources live), found from this module whether
// it runs from source (tests) or bundled into dist/ or dist/chunks/: walk up to the package.json
// named "gpuarb". Files shipped with the code are read relative to it, never to import.meta.url.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'gpuarb') {
      cached = dir;
      return dir;
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`gpuarb package root not found above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** A path inside the package, e.g. packagePath('src', 'templates', 'openapi.json'). */
export function packagePath(...parts: string[]): string {
  return join(packageRoot(), ...parts);
}
