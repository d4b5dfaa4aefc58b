/**
 * `picco run`'s flags into one validated RunConfig (harness/runner/run-config.ts), with every
 * problem reported at once (exit 2 naming each flag or file). The scenario is resolved and built
 * here, once: its option errors are bad usage found before anything starts, and its plan is what
 * the runner reads its facts from. Flags beyond DESIGN.md's contract (all optional, defaults in
 * brackets):
 *
 *   --connections N [64 with --url, 512 for a scenario]   --pipelining N [1]   --in-flight-cap N [10000]   --timeout D [16s]
 *   --workers N [1] (worker threads; 0 = on the main thread)   --arrivals uniform|poisson [uniform]
 *   --stages D:R,... (with --url: ramp from --rate [0] through each stage, instead of --duration)
 *   --max-lag MS [25]   --max-dropped RATIO [0.01]   --report   --run-id ID
 *   --faults FILE (a SCENARIO on the embedded server only: start it with this fault profile,
 *   e.g. scenarios/faults/injected-symptoms.json)
 *   --client NAME (a scenario's client profile, e.g. 2020-12-07 | fixed [fixed])
 *   --closed VUS (the scenario's journeys as a closed loop of VUS users: `picco plan` prints the VUS
 *   that gives the open run's average throughput)
 *   --architecture 2020 [--rate-scale F] (embedded server only: the server as the 2020 system was
 *   built, its capacities x F [--scale x --speed]; --architecture-option KEY=VALUE, repeated,
 *   is passed on to it: `picco serve` checks it)
 *   --warmup N [the peak rate × 1 s, at least 200, at most 30,000]: unrecorded requests before the
 *   clock starts (--url runs only): up to 4 per connection slot, closed-loop, to open them, then the
 *   rest through the run's own schedule loop at its peak rate for up to a second (the rehearsal),
 *   so connection setup, cold code and its compilation are not measured
 *   --start-at TIME (ISO instant or +D: t = 0 on the wall clock, the same for every segment;
 *   later than --max-lag refuses)   --clock-ref URL (ntp://HOST or http(s)://; default: the
 *   target's Date header, for --start-at runs): see start-flags.ts
 *
 * @example
 * picco run --url http://127.0.0.1:8080/info --rate 1000 --duration 30s --slo slo.yaml
 */
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseFlags, Problems, UsageError } from './usage.ts';
import { loadSloFile, parseSloList, SloFileError } from '../harness/slo/load.ts';
import type { Slo } from '../harness/slo/parse.ts';
import type { BuiltScenario } from '../harness/runner/execute.ts';
import type { RunConfig, WorkSource } from '../harness/runner/run-config.ts';
import { scheduleFacts } from '../harness/executors/index.ts';
import { loadExtensionHooks } from '../harness/runner/hooks.ts';
import type { Targets } from '../harness/scenario/types.ts';
import { defaultsNote, resolveScaleSpeed } from '../harness/scenario/defaults.ts';
import { resolveScenario, ScenarioNotFound, type ResolvedScenario } from './scenario-ref.ts';
import { hasTargets, resolveTargets, TARGET_FLAGS } from './targets.ts';
import { SCENARIO_FLAGS, scenarioFlags } from './scenario-flags.ts';
import { parseStartFlags, START_FLAGS } from './start-flags.ts';
import { parseUrlFlags, urlSource, URL_FLAGS } from './url-flags.ts';
import { embeddedServerArgs, parseServerFlags, SERVER_FLAGS } from './server-flags.ts';

export { parseStages } from './url-flags.ts';

export const RUN_FLAGS = {
  ...TARGET_FLAGS,
  ...SCENARIO_FLAGS,
  ...START_FLAGS,
  ...URL_FLAGS,
  ...SERVER_FLAGS,
  out: { type: 'string' },
  slo: { type: 'string' },
  'metrics-port': { type: 'string' },
  dashboard: { type: 'string' },
  quiet: { type: 'boolean' },
  report: { type: 'boolean' },
  arrivals: { type: 'string' },
  connections: { type: 'string' },
  pipelining: { type: 'string' },
  'in-flight-cap': { type: 'string' },
  timeout: { type: 'string' },
  workers: { type: 'string' },
  'max-lag': { type: 'string' },
  'max-dropped': { type: 'string' },
  'run-id': { type: 'string' },
  warmup: { type: 'string' },
  client: { type: 'string' },
  closed: { type: 'string' },
} as const;

/** `--dashboard` takes an optional port: a bare flag means "any free port" (0). */
export function normalizeOptionalPort(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--dashboard' && !/^\d+$/.test(argv[i + 1] ?? '')) out.push('--dashboard=0');
    else out.push(a);
  }
  return out;
}

export function newRunId(): string {
  return `${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}-${randomBytes(2).toString('hex')}`;
}

/** A parsed `picco run`: the config the runner takes whole, and what the CLI must do around it. */
export interface ParsedRun {
  cfg: RunConfig;
  /** The scenario, resolved and built once (absent for --url runs). */
  built?: BuiltScenario;
  resolved?: ResolvedScenario;
  /** No --target: the embedded reference server is started with these extra `serve` flags. */
  embedded?: { serverArgs: string[] };
  /** The stderr line saying the scenario's rehearsal defaults were used. */
  defaultsLine?: string;
  /** A stderr line about --start-at (a relative instant resolved here). */
  startNote?: string;
}

export async function parseRunFlags(argv: string[]): Promise<ParsedRun> {
  const { values: f, positionals } = parseFlags(normalizeOptionalPort(argv), RUN_FLAGS);
  const p = new Problems();
  if (positionals.length > 1) p.add(`expected one SCENARIO, got ${positionals.length}: ${positionals.join(' ')}`);
  const scenarioRef = positionals[0];
  const adHoc = f.url !== undefined;
  if (scenarioRef === undefined && !adHoc) p.add('give a SCENARIO (name or .ts file) or --url URL --rate R --duration D');
  if (scenarioRef !== undefined && adHoc) p.add('give either a SCENARIO or --url, not both');

  const { scale: scaleFlag, speed: speedFlag, durationS, seed, segment } = scenarioFlags(f, p);
  // --url: wrk's 64; a scenario: enough that the target's concurrency, not the pool, limits
  // (a citizen's phone is a connection of its own: 64 shared sockets would queue a surge in the
  // generator, out of the server's sight and out of reach of its admission control)
  const connections = p.number('--connections', f.connections, { integer: true, min: 1, max: 100_000 }) ?? (adHoc ? 64 : 512);
  const pipelining = p.number('--pipelining', f.pipelining, { integer: true, min: 1, max: 1000 }) ?? 1;
  const inFlightCap = p.number('--in-flight-cap', f['in-flight-cap'], { integer: true, min: 1 }) ?? 10_000;
  const timeoutS = p.duration('--timeout', f.timeout) ?? 16;
  const workers = p.number('--workers', f.workers, { integer: true, min: 0, max: 64 }) ?? 1;
  const maxLag = p.number('--max-lag', f['max-lag'], { min: 0 }) ?? 25;
  const warmup = p.number('--warmup', f.warmup, { integer: true, min: 0 });
  const maxDropped = p.number('--max-dropped', f['max-dropped'], { min: 0, max: 1 }) ?? 0.01;
  const metricsPort = p.number('--metrics-port', f['metrics-port'], { integer: true, min: 0, max: 65535 });
  const dashboard = p.number('--dashboard', f.dashboard, { integer: true, min: 0, max: 65535 });
  const start = parseStartFlags(f, segment, maxLag, p, Date.now());
  const arrivals = f.arrivals ?? 'uniform';
  if (arrivals !== 'uniform' && arrivals !== 'poisson') p.add(`--arrivals '${arrivals}' must be uniform or poisson`);

  let slos: Slo[] = [];
  if (f.slo !== undefined) {
    try {
      slos = loadSloFile(f.slo);
    } catch (err) {
      if (err instanceof SloFileError) for (const x of err.problems) p.add(x);
      else throw err;
    }
  }

  const targeted = hasTargets(f);
  if (adHoc && targeted) p.add('--target applies to a SCENARIO; with --url the URL is the target');

  const urlRun = parseUrlFlags(f, adHoc, p);
  const closedVus = p.number('--closed', f.closed, { integer: true, min: 1, max: 1_000_000 });
  const server = await parseServerFlags(f, adHoc || targeted, p);
  if (adHoc && (f.client !== undefined || f.closed !== undefined)) p.add('--client and --closed apply to a SCENARIO, not --url');
  let resolved: ResolvedScenario | undefined;
  if (scenarioRef !== undefined) {
    try {
      resolved = await resolveScenario(scenarioRef);
    } catch (err) {
      if (err instanceof ScenarioNotFound) p.add(err.message);
      else p.add(`scenario '${scenarioRef}' failed to load: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const scenario = resolved?.scenario;
  if (scenario !== undefined && f.client !== undefined && !(scenario.clients ?? []).includes(f.client)) {
    p.add(scenario.clients === undefined
      ? `--client: scenario '${scenario.name}' models no client profiles`
      : `--client '${f.client}' is not one of ${scenario.clients.join(' | ')}`);
  }
  if (scenario !== undefined && closedVus !== undefined && scenario.closedLoop !== true) {
    p.add(`--closed: scenario '${scenario.name}' cannot run as a closed loop`);
  }
  let targets: Targets | undefined;
  if (scenario !== undefined && targeted) targets = resolveTargets(f, scenario.origins, p);
  p.throwIfAny();
  const { scale, speed, defaulted } = resolveScaleSpeed(scenario, scaleFlag, speedFlag);

  const timeoutMs = Math.round(timeoutS * 1000);
  const rateScale = server.rateScale ?? scale * speed;
  const setupRate = server.arch2020 && targets === undefined ? (await import('./architecture-setup.ts')).setupRate2020(rateScale) : undefined;
  const options = { scale, speed, seed, ...(durationS !== undefined ? { durationS } : {}),
    ...(setupRate !== undefined ? { setupRate } : {}),
    ...(f.client !== undefined ? { client: f.client } : {}), ...(closedVus !== undefined ? { closedVus } : {}) };
  // options the scenario cannot honour are bad usage: found before anything starts or is written
  const plan = scenario?.build(options);
  if (f.slo === undefined && plan?.slo !== undefined) {
    try {
      slos = parseSloList(plan.slo, `scenario '${scenarioRef}' slo`);
    } catch (err) {
      if (err instanceof SloFileError) throw new UsageError(err.problems);
      throw err;
    }
  }
  const runId = f['run-id'] ?? newRunId();
  const outDir = f.out ?? join('reports', 'out', runId);
  const ext = await loadExtensionHooks({ report: f.report === true, dashboard, outDir });
  if (ext.missing) process.stderr.write('picco run: --report/--dashboard are not available yet in this build (no harness/report/run-hooks.ts); running without them\n');
  let source: WorkSource;
  if (adHoc) {
    source = urlSource(urlRun, durationS, arrivals as 'uniform' | 'poisson');
  } else {
    // without --target the CLI starts the embedded server and fills the targets in
    source = { kind: 'scenario', ref: resolved!.ref, options, targets: targets ?? {} };
  }
  const cfg: RunConfig = {
    runId,
    outDir,
    quiet: f.quiet === true,
    workers,
    segment,
    seed,
    limits: {
      inFlightCap,
      connections,
      pipelining,
      timeoutMs,
      batchMs: Number(process.env.PICCO_BATCH_MS ?? 1),
      warmup: adHoc ? (warmup ?? defaultWarmup(source, connections * pipelining)) : 0,
    },
    maxLagP99Ms: maxLag,
    maxDroppedRatio: maxDropped,
    slos,
    hooks: ext.hooks,
    source,
  };
  if (metricsPort !== undefined) cfg.metricsPort = metricsPort;
  if (start.startAt !== undefined) cfg.startAt = start.startAt;
  if (start.clock !== undefined) cfg.clock = start.clock;
  const parsed: ParsedRun = { cfg };
  if (start.note !== undefined) parsed.startNote = start.note;
  if (scenario !== undefined && plan !== undefined) {
    parsed.built = { name: scenario.name, plan };
    parsed.resolved = resolved!;
    if (targets === undefined) {
      parsed.embedded = { serverArgs: embeddedServerArgs(server, rateScale) };
    }
    if (defaulted) parsed.defaultsLine = defaultsNote(scenario.name, { scale, speed, defaulted });
  }
  return parsed;
}

/** --warmup's default: about a second of the run's peak rate (the rehearsal), at least enough to open the connections. */
function defaultWarmup(source: WorkSource, slots: number): number {
  if (source.kind !== 'url') return 0;
  const peak = scheduleFacts(source.executor).peak;
  return Math.min(30_000, Math.max(200, slots * 4, Math.round(peak)));
}
