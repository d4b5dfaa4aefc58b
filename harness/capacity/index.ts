/**
 * `picco capacity`: knee search against a live target, then (given measurements at several
 * sizes) the USL projection. Kept apart from the CLI so a test or a script can drive it with
 * its own measuring function.
 */
import { PiccoError } from '../errors.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findKnee, type KneeResult, type RateResult } from './knee.ts';
import { measureOnce, type MeasureConfig } from './measure.ts';
import { project } from './usl.ts';
import { appendUslFile, readUslFile, type UslMeasurement } from './usl-file.ts';
import { renderCapacityHtml, renderCapacityMd, type CapacityReport, type UslAnswer } from './report.ts';

/**
 * The criteria when no --slo FILE is given: card additions answered within 1 s at p99 (the
 * app's spinner budget, well inside the 16 s client timeout), under 1 % of requests failing,
 * under 1 % of arrivals dropped. Written next to the results so the criteria travel with them.
 */
export const DEFAULT_CAPACITY_SLO = [
  'http_req_duration{endpoint:POST /v1/wallet/cc}: p(99)<1000',
  'http_req_failed: rate<1%',
  'dropped_iterations: rate<1%',
];

export const PLANNER_TARGETS = { cardAdditionsPerS: 8000, opsPerS: 14000 } as const;

export class CapacityError extends PiccoError {
  constructor(message: string, options?: ErrorOptions) {
    super('PICCO_ERR_CAPACITY', message, options);
  }
}

export interface CapacityOptions {
  target?: string | undefined;
  scenario: string;
  slo?: string | undefined;
  workers: number;
  usl?: string | undefined;
  outDir: string;
  repeats: number;
  /** `picco run --duration` per step; undefined = the scenario's own length (card-peak: warm-up + 60 s burst). */
  stepDurationS?: number | undefined;
  startScale: number;
  maxScale: number;
  factor: number;
  tolerance: number;
  maxRates: number;
  /** `picco run --speed` for every step (card-peak at --speed 10: 2 s warm-up, then the burst at 8,000 × scale /s). */
  speed: number;
  /** `picco run --max-lag MS`, when given (a busy generator box may need more than the default 25 ms). */
  maxLagMs?: number | undefined;
  log?: (line: string) => void;
}

export function uslAnswers(measurements: UslMeasurement[]): { usl: UslAnswer[]; note?: string } {
  const sizes = new Set(measurements.map((m) => m.workers)).size;
  if (sizes < 3) {
    return { usl: [], note: `USL fit needs knees at 3 or more worker counts; the measurements file has ${sizes} (${measurements.length} measurements). Run \`picco capacity --workers N --usl FILE\` against servers with 1, 2 and 4 workers.` };
  }
  const usl: UslAnswer[] = [];
  for (const [metric, label] of [['cardAdditionsPerS', 'card additions/s'], ['opsPerS', 'ops/s']] as const) {
    const points = measurements.map((m) => ({ n: m.workers, x: m[metric] }));
    const { fit, projections } = project(points, [PLANNER_TARGETS[metric]], { resamples: 300, seed: 1 });
    usl.push({ metric, label, fit, projection: projections[0]!, points });
  }
  return { usl };
}

/**
 * The USL input a knee search yields: one measurement per repeat that held at the knee, but only
 * when the knee is bracketed (some higher scale did not hold). A search that ran out of scales
 * while everything held found a lower bound, which would bend the fit if taken for a knee.
 */
export function kneeMeasurements(knee: KneeResult, workers: number, source: string): UslMeasurement[] {
  const bracketed = knee.knee !== null && knee.results.some((r) => r.rate > knee.knee! && (r.verdict === 'mixed' || r.verdict === 'fails'));
  if (!bracketed) return [];
  return knee.trials
    .filter((t) => t.rate === knee.knee && t.pass)
    .map((t) => ({ workers, cardAdditionsPerS: t.figures?.['cardAdditionsPerS'] ?? 0, opsPerS: t.figures?.['opsPerS'] ?? 0, source }));
}

function line(r: RateResult): string {
  const f = r.figures;
  const v = (k: string, d = 0) => (f[k] ? f[k].mean.toFixed(d) : 'n/a');
  return `scale ${r.rate}: ${r.verdict} (${r.passes}/${r.repeats} passed) intended ${v('intendedPerS')}/s achieved ${v('achievedPerS')}/s cards ${v('cardAdditionsPerS')}/s ops ${v('opsPerS')}/s p99 ${v('p99Ms', 1)} ms ±${((f['p99Ms']?.cv ?? 0) * 100).toFixed(1)}%`;
}

export async function runCapacity(o: CapacityOptions): Promise<{ report: CapacityReport; files: { md: string; html: string; json: string } }> {
  const log = o.log ?? (() => {});
  mkdirSync(o.outDir, { recursive: true });
  let slo = o.slo;
  if (slo === undefined && o.target !== undefined) {
    slo = join(o.outDir, 'capacity-slo.yaml');
    writeFileSync(slo, DEFAULT_CAPACITY_SLO.map((l) => `- "${l}"`).join('\n') + '\n');
  }
  const criteria = o.slo
    ? `A run holds when \`picco run\` exits 0: every SLO in ${o.slo} passes and the run is valid (the generator kept up).`
    : `A run holds when \`picco run\` exits 0: every SLO passes (default criteria: ${DEFAULT_CAPACITY_SLO.join('; ')}) and the run is valid (the generator kept up).`;
  let knee: KneeResult | null = null;
  if (o.target !== undefined) {
    log(`criteria: ${criteria}`);
    log(`each scale runs ${o.repeats}x ${o.stepDurationS !== undefined ? `for ${o.stepDurationS}s` : 'for the whole scenario'} at --speed ${o.speed}; stepped x${o.factor} from ${o.startScale} up to ${o.maxScale}, then bisected to ${(o.tolerance * 100).toFixed(0)}%`);
    const extra = ['--speed', String(o.speed), ...(o.maxLagMs !== undefined ? ['--max-lag', String(o.maxLagMs)] : [])];
    const cfg: MeasureConfig = { target: o.target, scenario: o.scenario, slo, durationS: o.stepDurationS, outDir: join(o.outDir, 'runs'), extra };
    let trial = 0;
    const seedBase = Date.now() % 1_000_000;
    knee = await findKnee({
      start: o.startScale, max: o.maxScale, factor: o.factor, repeats: o.repeats, tolerance: o.tolerance, maxRates: o.maxRates,
      measure: async (scale, repeat) => {
        const m = await measureOnce(cfg, scale, repeat, seedBase + trial++);
        if (![0, 98, 99].includes(m.exitCode) || m.summary === null) {
          throw new CapacityError(`picco run ${o.scenario} --scale ${scale} failed (exit ${m.exitCode}): ${m.stderr.trim().split('\n').slice(-3).join(' | ')}`);
        }
        return { pass: m.pass, invalid: m.invalid, figures: m.figures };
      },
      onResult: (r) => log(line(r)),
    });
    const band = knee.noiseBand ? `${knee.noiseBand[0]}–${knee.noiseBand[1]}` : 'none';
    const where = knee.knee !== null ? `scale ${knee.knee}` : knee.stoppedBy === 'invalid' ? 'none: the first scale was an invalid run (the generator fell behind; see --max-lag)' : 'below the start scale';
    log(`knee: ${where}; noise band ${band}; stopped: ${knee.stoppedBy}`);
  }
  let measurements: UslMeasurement[] = [];
  if (o.usl !== undefined) {
    const add = knee !== null ? kneeMeasurements(knee, o.workers, `picco capacity ${o.scenario} ${new Date().toISOString()}`) : [];
    if (knee !== null && knee.knee !== null && add.length === 0) {
      log(`not added to ${o.usl}: no scale above ${knee.knee} failed, so it is a lower bound, not a knee (raise --max-rates or --max-scale)`);
    }
    measurements = add.length > 0 ? appendUslFile(o.usl, add) : readUslFile(o.usl);
  }
  const { usl, note } = o.usl !== undefined ? uslAnswers(measurements) : { usl: [], note: 'No --usl FILE given: scale-out not projected.' };
  for (const u of usl) {
    if (u.fit.r2 < 0.8) log(`USL ${u.label}: R2 ${u.fit.r2.toFixed(3)}: the fit explains little of the measurements (noise, or a box too small for the worker counts); do not plan from it`);
    log(`USL ${u.label}: lambda ${u.fit.lambda.toFixed(1)} sigma ${u.fit.sigma.toFixed(4)} kappa ${u.fit.kappa.toExponential(2)} R2 ${u.fit.r2.toFixed(3)} → ${u.projection.target}: ${u.projection.instances ?? 'unreachable'} instances (90%: ${u.projection.p5 ?? 'unreachable'}–${u.projection.p95 ?? 'unreachable'})`);
  }
  if (note) log(note);
  const report: CapacityReport = {
    scenario: o.scenario, target: o.target ?? '(measurements file only)', criteria, repeats: o.repeats, stepDurationS: o.stepDurationS, speed: o.speed, workers: o.workers,
    knee, usl, uslNote: note, generatedAt: new Date().toISOString(),
  };
  const files = { md: join(o.outDir, 'capacity.md'), html: join(o.outDir, 'capacity.html'), json: join(o.outDir, 'capacity.json') };
  writeFileSync(files.md, renderCapacityMd(report));
  writeFileSync(files.html, renderCapacityHtml(report));
  writeFileSync(files.json, JSON.stringify(report, (_k, v: unknown) => (v === Infinity ? null : v), 2) + '\n');
  return { report, files };
}
