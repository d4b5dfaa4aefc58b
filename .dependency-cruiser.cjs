/**
 * The dependency direction DESIGN.md draws, held by `npm test` (npm run deps):
 * cli/ wires everything; scenarios/ and examples/ use the engine's public scenario API;
 * harness/ (the engine) depends on none of them, nor on reference-server/, which depends on
 * nothing of picco's. A planner's example imports only `picco/scenario`.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'harness-is-domain-free',
      comment: 'The engine knows origins, requests and journeys, never the 2020 pack, the reference server or the CLI.',
      severity: 'error',
      from: { path: '^harness/' },
      to: { path: '^(scenarios|reference-server|cli|examples|bench|test)/' },
    },
    {
      name: 'reference-server-stands-alone',
      comment: 'The reference server depends on nothing of picco\'s: a vendor can read it as a backend.',
      severity: 'error',
      from: { path: '^reference-server/' },
      to: { path: '^(harness|scenarios|cli|examples|bench|test)/' },
    },
    {
      name: 'scenario-packs-do-not-wire',
      comment: 'A scenario pack uses the engine; only cli/ wires packs, engine and server together.',
      severity: 'error',
      from: { path: '^scenarios/' },
      to: { path: '^(cli|reference-server|examples|bench|test)/' },
    },
    {
      name: 'examples-use-the-public-api',
      comment: 'A planner\'s scenario imports picco/scenario (harness/scenario/index.ts) and nothing else of picco.',
      severity: 'error',
      from: { path: '^examples/' },
      to: { path: '^(harness|scenarios|cli|reference-server|bench|test)/', pathNot: '^harness/scenario/index\\.ts$' },
    },
    {
      name: 'nothing-imports-the-cli',
      comment: 'cli/ is the top layer: nothing below it imports it.',
      severity: 'error',
      from: { path: '^(harness|scenarios|reference-server|examples)/' },
      to: { path: '^cli/' },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|reports/out)' },
    parser: 'swc',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'types', 'default'], extensions: ['.ts', '.js', '.mjs', '.json'] },
  },
};
