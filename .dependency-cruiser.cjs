// The direction the top-level parts may depend in (docs/architecture.md, "Layering"), checked by
// `npm run deps` as part of `npm test`. A part imports only from parts below it:
//
//   bench/, scripts/   anything
//   test/              whole-platform and cross-part tests; anything
//   testkit/           shared test helpers, imported only by tests; anything
//   src/               emulator/ (daemon control only), contracts/, lib/
//   emulator/          contracts/, lib/ (it runs agent and gateway from dist/, never their code)
//   gateway/           contracts/, lib/
//   fleet-agent/       contracts/, lib/
//   contracts/         lib/
//   lib/               Node built-ins only
//
// Type-only imports count (tsPreCompilationDeps) and dynamic import() is followed: a type is a
// dependency just as much as a value is.

/** Test files: next to the code they test; they follow their part's rules plus test helpers. */
const TEST_FILE = '\\.test\\.tsx?$';
/** Test-only helpers: testkit/ is their one home. */
const TEST_ONLY = ['^testkit/'];
/** May import anything: nothing in the layering may import them. */
const TOP = '^(bench|scripts)/';

/**
 * Code of the `from` part, its test files included, may import none of `parts`. Test helpers are
 * exempt both ways: they may import anything, and a test may use any of them.
 */
function onlyBelow(name, from, parts, comment) {
  return {
    name,
    comment,
    severity: 'error',
    from: { path: from, pathNot: TEST_ONLY },
    to: { path: `^(${parts.join('|')})/`, pathNot: TEST_ONLY },
  };
}

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A cycle makes two modules one; break it by moving what both need into a module below them.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'test-only-from-tests',
      comment: 'Test helpers are imported only by test files and other test helpers.',
      severity: 'error',
      from: { pathNot: [TEST_FILE, TOP, ...TEST_ONLY] },
      to: { path: TEST_ONLY },
    },
    {
      name: 'nothing-imports-bench-or-scripts',
      comment: 'bench/ and scripts/ sit on top: they may use everything; only test helpers may use them.',
      severity: 'error',
      from: { pathNot: [TOP, ...TEST_ONLY] },
      to: { path: TOP },
    },
    {
      name: 'lib-is-dependency-free',
      comment: 'lib/ holds tiny utilities that depend on nothing but Node itself.',
      severity: 'error',
      from: { path: '^lib/', pathNot: TEST_FILE },
      to: { pathNot: ['^lib/'], dependencyTypesNot: ['core'] },
    },
    onlyBelow('contracts-only-lib', '^contracts/', ['src', 'emulator', 'gateway', 'fleet-agent'], 'contracts/ depends on lib/ only.'),
    onlyBelow(
      'gateway-only-contracts-lib',
      '^gateway/',
      ['src', 'emulator', 'fleet-agent'],
      'The gateway depends on contracts/ and lib/ only.',
    ),
    onlyBelow(
      'agent-only-contracts-lib',
      '^fleet-agent/',
      ['src', 'emulator', 'gateway'],
      'The fleet agent depends on contracts/ and lib/ only.',
    ),
    onlyBelow(
      'emulator-only-contracts-lib',
      '^emulator/',
      ['src', 'gateway', 'fleet-agent'],
      'The local cloud runs the agent and gateway as processes from dist/; it never imports their code.',
    ),
    onlyBelow(
      'cli-not-gateway-or-agent',
      '^src/',
      ['gateway', 'fleet-agent'],
      'The CLI talks to the gateway and agents over the wire only.',
    ),
    {
      name: 'cli-uses-emulator-daemon-control-only',
      comment: 'Outside tests, the CLI reaches the local cloud only through its daemon control.',
      severity: 'error',
      from: { path: '^src/', pathNot: [TEST_FILE, ...TEST_ONLY] },
      to: { path: '^emulator/', pathNot: '^emulator/daemon-control\\.ts$' },
    },
  ],
  options: {
    exclude: { path: '^(dist|vendor|\\.gpuarb)/' },
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'],
      conditionNames: ['import', 'node', 'default'],
    },
  },
};
