/**
 * The `--merge` branch of `picco report`: `picco report --merge RUN_DIR... --out DIR` merges
 * segment runs exactly (merge-runs.ts), then writes the usual report.html / summary.md /
 * junit.xml for the merged run. The exit code is the merged verdict, so a CI step that merges
 * N segments gates on the SLOs of the union, not of any one segment.
 *
 * @example
 * picco report --merge out/seg-1 out/seg-2 out/seg-3 --out out/merged
 */
import { EXIT, Problems, UsageError } from './usage.ts';
import { mergeRuns, MergeError } from '../harness/merge/merge-runs.ts';

export async function runMerge(dirs: string[], out: string | undefined, opts: { quiet?: boolean } = {}): Promise<number> {
  const problems = new Problems();
  if (dirs.length === 0) problems.add('--merge: give the run directories to merge, e.g. picco report --merge out/seg-1 out/seg-2 --out out/merged');
  if (out === undefined) problems.add('--out: --merge needs an output directory for the merged run');
  problems.throwIfAny();
  try {
    const r = await mergeRuns(dirs, out!);
    for (const n of r.notes) if (opts.quiet !== true) process.stderr.write(`picco report: note: ${n}\n`);
    const a = r.alignment;
    if (opts.quiet !== true && a.skewMs !== null && dirs.length > 1) process.stderr.write(`picco report: segment start skew ${a.skewMs} ms (bound ${a.boundMs} ms)\n`);
    for (const reason of r.summary.invalidReasons) process.stderr.write(`picco report: merged run invalid: ${reason}\n`);
    try {
      const { writeReports } = await import('../harness/report/index.ts');
      const w = await writeReports(out!);
      if (opts.quiet !== true) process.stdout.write(`${out}/summary.json\n${w.files.html}\n${w.files.markdown}\n${w.files.junit}\n`);
    } catch (err) {
      process.stderr.write(`picco report: merged run written to ${out}, but its report could not be rendered: ${(err as Error).message}\n`);
    }
    return !r.summary.valid ? EXIT.invalid : r.summary.pass ? EXIT.pass : EXIT.sloFailed;
  } catch (err) {
    if (err instanceof MergeError) throw new UsageError([err.message]);
    throw err;
  }
}
