/**
 * `picco capacity --target URL --scenario S [--slo FILE]`: finds the knee (stepped then
 * bisected open-model runs, each repeated) and, with `--workers N --usl FILE`, accumulates
 * knees per server size and fits the Universal Scalability Law to answer "how many instances
 * for 8,000 card additions/s and 14,000 ops/s". `--usl FILE` alone fits without running.
 * Defaults: --scenario card-peak, --repeats 3, --step-duration 20s (card-peak fits its
 * warm-up, at most a quarter, and the burst into it), --speed 10, --start-scale 0.01,
 * --max-scale 1, --factor 2, --tolerance 0.05, --max-rates 12, --workers 1, --max-lag (run's default),
 * --out reports/out/capacity-<time>.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT, parseFlags, Problems, UsageError } from './usage.ts';
import { CapacityError, runCapacity } from '../harness/capacity/index.ts';
import { UslFileError } from '../harness/capacity/usl-file.ts';

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    target: { type: 'string' }, scenario: { type: 'string' }, slo: { type: 'string' }, workers: { type: 'string' }, usl: { type: 'string' },
    out: { type: 'string' }, repeats: { type: 'string' }, 'step-duration': { type: 'string' }, 'start-scale': { type: 'string' },
    'max-scale': { type: 'string' }, factor: { type: 'string' }, tolerance: { type: 'string' }, 'max-rates': { type: 'string' }, speed: { type: 'string' }, 'max-lag': { type: 'string' }, quiet: { type: 'boolean' },
  }, false);
  void positionals;
  const p = new Problems();
  if (values.target === undefined && values.usl === undefined) p.add('--target URL is required (or --usl FILE alone to fit measurements without running)');
  if (values.target !== undefined && !/^https?:\/\/[^/]+/.test(values.target)) p.add(`--target '${values.target}' is not a URL: write http://127.0.0.1:8080`);
  if (values.slo !== undefined && !existsSync(values.slo)) p.add(`--slo ${values.slo}: file not found`);
  const workers = p.number('--workers', values.workers, { min: 1, integer: true }) ?? 1;
  const repeats = p.number('--repeats', values.repeats, { min: 1, max: 20, integer: true }) ?? 3;
  const stepDurationS = p.duration('--step-duration', values['step-duration']) ?? 20;
  const startScale = p.number('--start-scale', values['start-scale'], { min: 1e-6 }) ?? 0.01;
  const maxScale = p.number('--max-scale', values['max-scale'], { min: 1e-6 }) ?? 1;
  const factor = p.number('--factor', values.factor, { min: 1.05 }) ?? 2;
  const tolerance = p.number('--tolerance', values.tolerance, { min: 0.001, max: 1 }) ?? 0.05;
  const maxRates = p.number('--max-rates', values['max-rates'], { min: 1, integer: true }) ?? 12;
  const speed = p.number('--speed', values.speed, { min: 0.001 }) ?? 10;
  const maxLagMs = p.number('--max-lag', values['max-lag'], { min: 0 });
  if (maxScale < startScale) p.add(`--max-scale ${maxScale} is below --start-scale ${startScale}`);
  p.throwIfAny();
  const outDir = values.out ?? join('reports', 'out', `capacity-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  try {
    const { files, report } = await runCapacity({
      target: values.target, scenario: values.scenario ?? 'card-peak', slo: values.slo, workers, usl: values.usl, outDir,
      repeats, stepDurationS, startScale, maxScale, factor, tolerance, maxRates, speed, maxLagMs,
      log: values.quiet === true ? () => {} : (l) => process.stdout.write(`${l}\n`),
    });
    process.stdout.write(`${files.md}\n${files.html}\n`);
    return report.knee !== null && report.knee.knee === null ? EXIT.sloFailed : EXIT.pass;
  } catch (err) {
    if (err instanceof UslFileError) throw new UsageError([err.message]);
    if (err instanceof CapacityError) {
      process.stderr.write(`picco capacity: ${err.message}\n`);
      return EXIT.error;
    }
    throw err;
  }
}
