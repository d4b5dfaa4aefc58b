/**
 * `picco plan SCENARIO [--scale F] [--speed F] [--duration D] [--seed S] [--segment K/N] [--client NAME]
 * [--closed VUS] [--architecture 2020 [--rate-scale F]] [--json]`:
 * the schedule without a socket: per stream its executor, arrivals, peak and start; the
 * per-second arrival profile summed over streams (open-model streams); the scenario's
 * expected figures, notes and default SLOs. `--json` prints the same as one JSON object.
 * `--client`, `--closed` and `--architecture 2020` plan what `picco run` with them would run (the
 * 2020 server paces the scenario's setup); a launch scenario's expected
 * `closed_vus_for_average_throughput` is the `--closed VUS` that gives its average throughput.
 *
 * @example
 * picco plan december-2020 --scale 0.01 --speed 60 --json
 */
import { parseFlags, Problems } from './usage.ts';
import { scheduleFacts } from '../harness/executors/index.ts';
import { formatSegment } from '../harness/executors/segment.ts';
import { SCENARIO_FLAGS, scenarioFlags } from './scenario-flags.ts';
import { resolveScenario, ScenarioNotFound } from './scenario-ref.ts';
import { defaultsNote, resolveScaleSpeed } from '../harness/scenario/defaults.ts';

const FLAGS = {
  ...SCENARIO_FLAGS,
  json: { type: 'boolean' },
  client: { type: 'string' },
  closed: { type: 'string' },
  architecture: { type: 'string' },
  'rate-scale': { type: 'string' },
} as const;

export async function run(argv: string[]): Promise<number> {
  const { values: f, positionals } = parseFlags(argv, FLAGS);
  const p = new Problems();
  const ref = positionals[0];
  if (ref === undefined) p.add('give a SCENARIO (a name or a path to a .ts file)');
  if (positionals.length > 1) p.add(`expected one SCENARIO, got ${positionals.length}`);
  const { scale: scaleFlag, speed: speedFlag, durationS, seed, segment } = scenarioFlags(f, p);
  let scenario;
  if (ref !== undefined) {
    try {
      scenario = (await resolveScenario(ref)).scenario;
    } catch (err) {
      if (err instanceof ScenarioNotFound) p.add(err.message);
      else throw err;
    }
  }
  p.throwIfAny();
  const { scale, speed, defaulted } = resolveScaleSpeed(scenario, scaleFlag, speedFlag);
  if (defaulted && f.json !== true) process.stderr.write(`picco plan ${defaultsNote(scenario!.name, { scale, speed, defaulted })}\n`);
  const closedVus = p.number('--closed', f.closed, { integer: true, min: 1, max: 1_000_000 });
  const rateScale = p.number('--rate-scale', f['rate-scale'], { min: 1e-6, max: 100 }) ?? scale * speed;
  if (f.architecture !== undefined && f.architecture !== '2020' && f.architecture !== 'resilient') p.add(`--architecture '${f.architecture}' is not resilient or 2020`);
  if (f.client !== undefined && !(scenario!.clients ?? []).includes(f.client)) p.add(`--client '${f.client}' is not one of ${(scenario!.clients ?? []).join(' | ') || '(none: the scenario models no client)'}`);
  if (closedVus !== undefined && scenario!.closedLoop !== true) p.add(`--closed: scenario '${scenario!.name}' cannot run as a closed loop`);
  p.throwIfAny();
  const setupRate = f.architecture === '2020' ? (await import('./architecture-setup.ts')).setupRate2020(rateScale) : undefined;
  const plan = scenario!.build({ scale, speed, seed, ...(durationS !== undefined ? { durationS } : {}),
    ...(f.client !== undefined ? { client: f.client } : {}), ...(closedVus !== undefined ? { closedVus } : {}),
    ...(setupRate !== undefined ? { setupRate } : {}) });
  const share = (n: number): number => (n <= segment.index ? 0 : Math.ceil((n - segment.index) / segment.count));
  const streams = plan.streams.map((s) => {
    const facts = scheduleFacts(s.executor);
    return { name: s.name, journey: s.journey.name, executor: s.executor, startS: s.startS ?? 0, durationS: facts.durationS, arrivals: share(facts.arrivals), peak: facts.peak, perSecond: facts.perSecond };
  });
  const seconds = Math.ceil(plan.durationS);
  const profile = new Array<number>(seconds).fill(0);
  for (const s of streams) {
    s.perSecond.forEach((n, i) => {
      const t = Math.floor(s.startS) + i;
      if (t < seconds) profile[t] = (profile[t] ?? 0) + n / segment.count;
    });
  }
  const out = {
    scenario: plan.scenario,
    durationS: plan.durationS,
    segment: formatSegment(segment),
    scale,
    speed,
    arrivals: streams.reduce((a, s) => a + s.arrivals, 0),
    peakPerSecond: Math.round(profile.reduce((m, n) => (n > m ? n : m), 0)),
    streams: streams.map(({ perSecond: _p, ...rest }) => rest),
    perSecond: profile.map((n) => Math.round(n)),
    expected: plan.expected,
    slo: plan.slo ?? [],
    notes: plan.notes ?? [],
  };
  if (f.json === true) {
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return 0;
  }
  const lines: string[] = [];
  lines.push(`plan ${out.scenario}: ${out.durationS}s, ${out.arrivals} arrivals, peak ${out.peakPerSecond}/s (segment ${out.segment}, scale ${scale}, speed ${speed})`);
  for (const s of out.streams) {
    const ex = s.executor;
    const r2 = (n: number): string => String(Math.round(n * 100) / 100);
    const shape =
      ex.type === 'constant-arrival-rate' ? `${r2(ex.rate)}/s for ${r2(ex.durationS)}s${ex.arrivals === 'poisson' ? ' (poisson)' : ''}`
      : ex.type === 'ramping-arrival-rate'
        ? ex.stages.length <= 3
          ? `${r2(ex.startRate)}/s → ${ex.stages.map((st) => `${r2(st.target)}/s in ${r2(st.durationS)}s`).join(' → ')}`
          : `${ex.stages.length} stages over ${r2(s.durationS)}s, peak ${r2(s.peak)}/s${ex.arrivals === 'poisson' ? ' (poisson)' : ''}`
      : ex.type === 'constant-vus' ? `${ex.vus} VUs for ${r2(ex.durationS)}s`
      : `${ex.startVus} VUs → ${ex.stages.map((st) => `${st.target} in ${r2(st.durationS)}s`).join(' → ')}`;
    lines.push(`  stream ${s.name} (${s.journey}) from ${Math.round(s.startS * 100) / 100}s: ${ex.type} ${shape}: ${s.arrivals} ${ex.type.endsWith('vus') ? 'VU activations' : 'arrivals'}`);
  }
  const bucket = Math.max(1, Math.ceil(seconds / 20));
  const rows: string[] = [];
  for (let t = 0; t < seconds; t += bucket) {
    const slice = profile.slice(t, t + bucket);
    rows.push(`  ${String(t).padStart(6)}s  ${Math.round(slice.reduce((a, b) => a + b, 0) / slice.length)}/s`);
  }
  if (rows.length > 0) lines.push('  arrivals per second (mean per bucket):', ...rows);
  const exp = Object.entries(out.expected);
  if (exp.length > 0) lines.push('  expected:', ...exp.map(([k, v]) => `    ${k}: ${v}`));
  if (out.slo.length > 0) lines.push('  default SLOs:', ...out.slo.map((s) => `    ${s}`));
  for (const n of out.notes) lines.push(`  note: ${n}`);
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}
