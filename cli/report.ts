/**
 * `picco report RUN_DIR [--prometheus URL]`: writes report.html, summary.md and junit.xml next
 * to the run's summary.json. Exit code mirrors the run's verdict (0 pass, 99 SLO failed,
 * 98 invalid) so a CI step that only reports still gates.
 * `--merge` delegates to harness/merge (the engine's exact merge of segment runs).
 * `--compare RUN_A RUN_B [--out DIR]` writes one report.html, summary.md and junit.xml with the
 * two runs side by side (default DIR: reports/out/compare-<A>-vs-<B>); exit 0 when both were
 * read, whatever their verdicts (a comparison is meant to hold a failing run).
 */
import { EXIT, parseFlags, Problems, UsageError, HELP_FLAG, helpAsked } from './usage.ts';
import { writeReports } from '../harness/report/index.ts';
import { RunDataError } from '../harness/report/run-data.ts';
import { PrometheusError } from '../harness/report/prometheus.ts';

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    prometheus: { type: 'string' },
    merge: { type: 'boolean' },
    compare: { type: 'boolean' },
    out: { type: 'string' },
    quiet: { type: 'boolean' },
    ...HELP_FLAG,
  });
  if (helpAsked(values, 'usage: picco report RUN_DIR [--prometheus URL]\n  writes report.html, summary.md, junit.xml into RUN_DIR\n       picco report --merge RUN_DIR... --out DIR\n  merges segment runs exactly (HDR histograms), then reports the merged run\n       picco report --compare RUN_A RUN_B [--out DIR]\n  two runs side by side: report.html, summary.md, junit.xml\n')) return EXIT.pass;
  if (values.compare === true) return runCompare(positionals, values.out, values.quiet === true);
  if (values.merge === true) return (await import('./report-merge.ts')).runMerge(positionals, values.out, { quiet: values.quiet === true });
  const problems = new Problems();
  if (positionals.length !== 1) problems.add(`RUN_DIR: expected exactly one run directory (the --out of picco run), got ${positionals.length}`);
  if (values.prometheus !== undefined && !/^https?:\/\/[^/]+/.test(values.prometheus)) problems.add(`--prometheus '${values.prometheus}' is not a URL: write http://127.0.0.1:9090`);
  problems.throwIfAny();
  try {
    const r = await writeReports(positionals[0]!, { prometheus: values.prometheus });
    if (values.quiet !== true) {
      for (const n of r.notes) process.stderr.write(`picco report: note: ${n}\n`);
      process.stdout.write(`${r.files.html}\n${r.files.markdown}\n${r.files.junit}\n`);
    }
    const s = r.run.summary;
    return !s.valid ? EXIT.invalid : s.pass ? EXIT.pass : EXIT.sloFailed;
  } catch (err) {
    if (err instanceof RunDataError) throw new UsageError([`RUN_DIR: ${err.message}`]);
    if (err instanceof PrometheusError) throw new UsageError([err.message]);
    throw err;
  }
}

async function runCompare(positionals: string[], out: string | undefined, quiet: boolean): Promise<number> {
  const problems = new Problems();
  if (positionals.length !== 2) problems.add(`--compare: expected two run directories RUN_A RUN_B, got ${positionals.length}`);
  problems.throwIfAny();
  const [a, b] = positionals as [string, string];
  const { basename, join } = await import('node:path');
  const { writeCompare } = await import('../harness/report/compare.ts');
  const dir = out ?? join('reports', 'out', `compare-${basename(a)}-vs-${basename(b)}`);
  try {
    const r = writeCompare(a, b, dir);
    if (!quiet) process.stdout.write(`${r.files.html}\n${r.files.markdown}\n${r.files.junit}\n`);
    return EXIT.pass;
  } catch (err) {
    if (err instanceof RunDataError) throw new UsageError([`--compare: ${err.message}`]);
    throw err;
  }
}
