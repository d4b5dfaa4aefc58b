#!/usr/bin/env node
// The `picco` command. The sources are TypeScript; tsx's loader compiles them on import,
// so a clean clone needs no build step. Worker threads and child processes inherit the loader
// through execArgv (see harness/runtime/spawn.ts).
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
