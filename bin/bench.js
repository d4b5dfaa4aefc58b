#!/usr/bin/env node
// `npm run bench [-- SECTION...]`: benchmarks print figures (bench/index.ts dispatches to
// bench/<section>.ts). Same tsx loader as bin/picco.js.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../bench/index.ts');
process.exitCode = await main(process.argv.slice(2));
