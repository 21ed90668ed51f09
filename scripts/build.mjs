// Builds dist/ with esbuild: one ESM bundle per program, with code splitting so that the
// commands' heavy imports (Ink, the Azure SDKs) stay in chunks loaded only when needed.
// node_modules stay external: the package ships with its dependencies installed. The code that
// provisioning deploys (Functions package, agent bundle) is built here too, into dist/artifacts/.
import { build as esbuild } from 'esbuild';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { ARTIFACTS_DIR, buildArtifacts } from './artifacts/build-artifacts.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Program entry points: output name → source. Missing sources are skipped (built as they land). */
export const entries = {
  cli: 'src/cli.ts',
  agent: 'fleet-agent/main.ts',
  gateway: 'gateway/main.ts',
  emulator: 'emulator/daemon.ts',
};

export async function build({ quiet = false } = {}) {
  const entryPoints = Object.fromEntries(
    Object.entries(entries)
      .filter(([, src]) => existsSync(join(root, src)))
      .map(([out, src]) => [out, join(root, src)]),
  );
  // Build beside dist/ and swap it in, so a process starting from dist/ meanwhile (another test
  // run, a daemon) never sees a half-written tree.
  const out = join(root, `dist.tmp-${process.pid}-${Date.now()}`);
  const common = {
    outdir: out,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    jsx: 'automatic',
    logLevel: quiet ? 'error' : 'info',
  };
  const { cli, ...longRunning } = entryPoints;
  // The CLI is code-split: `--version` and `--help` must not load the commands' heavy modules.
  if (cli) await esbuild({ ...common, entryPoints: { cli }, splitting: true, chunkNames: 'chunks/[name]-[hash]' });
  // Long-running programs (agent, gateway, daemon) are single files: a rebuild of dist/ while they
  // run can never pull a lazily imported chunk from under them.
  if (Object.keys(longRunning).length) await esbuild({ ...common, entryPoints: longRunning, splitting: false });
  await buildArtifacts(join(out, ARTIFACTS_DIR));
  const dist = join(root, 'dist');
  const old = `${out}-old`;
  if (existsSync(dist)) renameSync(dist, old);
  renameSync(out, dist);
  rmSync(old, { recursive: true, force: true });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await build();
}
