/**
 * `npm run bench [-- SECTION...]`: runs bench/<section>.ts files, each exporting
 * `run(args: string[]): Promise<void>` and printing its figures. With no section, runs every
 * section in the order below and then any other bench/*.ts another part added.
 *
 * The header says how fast the box was (box.ts: a fixed loop on each core), the end how much of
 * its time the hypervisor took (steal), so absolute figures of different days can be compared.
 *
 * Sections: engine (picco vs wrk against nginx: ceiling and rate accuracy), server-engine (the
 * same against the reference server's GET /info), server (the reference server's per-core table:
 * bare Hono = 1, GET /info, durable card additions), transport (undici Pool.request vs dispatch).
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describeProbe, probeCores, stealMeter } from './box.ts';
import { GEN_CPU, TARGET_CPU } from './lib.ts';

const ORDER = ['transport', 'engine', 'server-engine', 'server', 'server-surge', 'server-wrk'];
const NOT_SECTIONS = new Set(['index', 'lib', 'box', 'autocannon-peer', 'engine-delay']);

export async function main(argv: string[]): Promise<number> {
  const dir = fileURLToPath(new URL('.', import.meta.url));
  const available = readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => f.slice(0, -3))
    .filter((n) => !NOT_SECTIONS.has(n));
  const wanted = argv.filter((a) => !a.startsWith('-'));
  const sections = wanted.length > 0 ? wanted : [...ORDER.filter((s) => available.includes(s)), ...available.filter((s) => !ORDER.includes(s)).sort()];
  for (const s of sections) {
    if (!available.includes(s)) {
      process.stderr.write(`bench: unknown section '${s}'; available: ${available.join(', ')}\n`);
      return 2;
    }
  }
  process.stdout.write(`picco bench ${new Date().toISOString()} node ${process.version}; generator on core ${GEN_CPU}, target on core ${TARGET_CPU}\n`);
  const steal = stealMeter();
  process.stdout.write(`${describeProbe(await probeCores([GEN_CPU, TARGET_CPU]))}\n`);
  for (const s of sections) {
    process.stdout.write(`\n== ${s} ==\n`);
    const mod = (await import(`./${s}.ts`)) as { run: (args: string[]) => Promise<void> };
    await mod.run(argv.filter((a) => a.startsWith('-')));
  }
  const stolen = steal.read();
  if (stolen !== '') process.stdout.write(`\n${stolen}\n`);
  return 0;
}
