/**
 * `picco verify --target URL`: holds a vendor's backend to the API contract, the behaviours
 * citizens depend on and the December load, and says which one failed by name.
 *
 *   picco verify --target URL | --target-io URL --target-pm URL --target-bpd URL
 *                [--slo FILE] [--out DIR] [--scale F] [--speed F] [--load-duration D]
 *                [--load-scenarios card-peak,update-reenroll] [--no-load] [--checks a,b | --no-checks]
 *                [--contract FILE] [--seed S] [--quiet]
 *
 * --max-lag MS and --max-dropped RATIO go to the engine (when a load run counts as invalid).
 * Defaults: --scale per scenario (DEFAULT_LOAD_SCALES: card-peak 0.01, update-reenroll 0.0002;
 * --scale F sets every one), --speed 1440 (the 7 Dec day in one minute; card-peak ignores it),
 * --load-duration 30s (each scenario's load window, after its setup: update-reenroll's preload
 * of the wallets citizens had before 7 Dec comes on top), --slo the DEFAULT_VERIFY_SLOS below,
 * --out reports/out/verify-<time>,
 * --contract reference-server/openapi.yaml, --seed from the clock (fresh citizens every run).
 * Writes OUT/summary.json (a verdict per check and per SLO), report.html, summary.md,
 * junit.xml, and OUT/load/<scenario>/ for each load run. Exit 0 all passed, 99 a check or an
 * SLO failed, 98 a load run was invalid (the generator fell behind), 2 bad usage.
 *
 * @example
 * picco verify --target http://127.0.0.1:8080 --slo slo.yaml --scale 0.05 --out out/verify
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT, parseFlags, Problems, HELP_FLAG, helpAsked } from './usage.ts';
import { resolveTargets, TARGET_FLAGS } from './targets.ts';
import { ORIGINS_2020 } from '../scenarios/origins.ts';
import { loadSloFile, SloFileError } from '../harness/slo/load.ts';
import { Contract, ContractError } from '../scenarios/verify/contract.ts';
import { BEHAVIOUR_CHECKS, CONTRACT_CHECK, runChecks } from '../scenarios/verify/run-checks.ts';
import { panNeverEchoed } from '../scenarios/verify/checks/pan.ts';
import { runLoadPhase, type LoadRun } from '../scenarios/verify/load.ts';
import { verifySummary } from '../scenarios/verify/summary.ts';
import { scenarioNames } from './scenario-ref.ts';
import type { Targets } from '../harness/scenario/types.ts';

const DEFAULT_CONTRACT = fileURLToPath(new URL('../reference-server/openapi.yaml', import.meta.url));
const DEFAULT_LOAD = ['card-peak', 'update-reenroll'];
/**
 * The scale of each default load run when --scale is not given: what the reference server holds
 * next to the generator on one laptop, so `picco verify --target URL` as documented passes on a
 * healthy backend in about two minutes. card-peak at 0.01 is 80 card additions/s; the 7 Dec day
 * at 0.0002 (one minute at --speed 1440) is ~15,000 requests, ~300/s with a riprova burst of
 * ~1,700/s, after a 5 s preload. A vendor sizes its own with --scale.
 */
export const DEFAULT_LOAD_SCALES: Readonly<Record<string, number>> = { 'card-peak': 0.01, 'update-reenroll': 0.0002 };
const DEFAULT_SCALE = 0.01;
/** The SLOs a load run is judged by when no --slo file is given (written to OUT/verify-slo.yaml). */
export const DEFAULT_VERIFY_SLOS = [
  'http_req_failed: rate<0.01',
  'http_req_duration: p(99)<1000',
  'checks: rate>0.99',
];
const CHECK_NAMES = [...BEHAVIOUR_CHECKS.map((c) => c.name), panNeverEchoed.name, CONTRACT_CHECK];

const USAGE = `usage: picco verify --target URL | --target-io URL --target-pm URL --target-bpd URL
       [--slo FILE] [--out DIR] [--scale F] [--speed F] [--load-duration D]
       [--load-scenarios a,b] [--no-load] [--checks a,b | --no-checks] [--contract FILE] [--seed S] [--max-lag MS] [--max-dropped R] [--quiet]
checks: ${CHECK_NAMES.join(', ')}
exit: 0 all passed, 99 a check or SLO failed, 98 a load run was invalid, 2 bad usage
`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    ...TARGET_FLAGS,
    slo: { type: 'string' },
    out: { type: 'string' },
    scale: { type: 'string' },
    speed: { type: 'string' },
    'load-duration': { type: 'string' },
    'load-scenarios': { type: 'string' },
    'no-load': { type: 'boolean' },
    'no-checks': { type: 'boolean' },
    'max-lag': { type: 'string' },
    'max-dropped': { type: 'string' },
    checks: { type: 'string' },
    contract: { type: 'string' },
    seed: { type: 'string' },
    quiet: { type: 'boolean' },
    ...HELP_FLAG,
  });
  if (helpAsked(values, USAGE)) return EXIT.pass;
  const p = new Problems();
  if (positionals.length > 0) p.add(`unexpected arguments: ${positionals.join(' ')} (verify takes flags only)`);
  const targets = resolveTargets(values, ORIGINS_2020, p);
  if (targets === undefined && p.list.length === 0) p.add('--target: give the backend to verify, e.g. --target http://127.0.0.1:8080 (or --target-io/-pm/-bpd)');
  const scale = p.number('--scale', values.scale, { min: 0 }) ?? DEFAULT_SCALE;
  const speed = p.number('--speed', values.speed, { min: 0 }) ?? 1440;
  if (values.scale !== undefined && scale === 0) p.add("--scale '0' sends no load: give a positive factor such as 0.01");
  if (values.speed !== undefined && speed === 0) p.add("--speed '0' never ends: give a positive factor such as 60");
  const loadDurationS = p.duration('--load-duration', values['load-duration']) ?? 30;
  const maxLag = p.number('--max-lag', values['max-lag'], { min: 0 });
  const maxDropped = p.number('--max-dropped', values['max-dropped'], { min: 0, max: 1 });
  const seed = p.number('--seed', values.seed, { integer: true, min: 0 }) ?? (Date.now() % 2_000_000_000);
  const contractPath = values.contract ?? DEFAULT_CONTRACT;
  if (!existsSync(contractPath)) p.add(`--contract '${contractPath}' does not exist: give the OpenAPI document to hold the backend to`);
  let only: string[] | undefined = values['no-checks'] === true ? [] : undefined;
  if (values.checks !== undefined && values['no-checks'] === true) p.add('--checks and --no-checks exclude each other');
  if (values.checks !== undefined) {
    only = values.checks.split(',').map((s) => s.trim()).filter((s) => s !== '');
    for (const n of only) if (!CHECK_NAMES.includes(n)) p.add(`--checks: unknown check '${n}'; known: ${CHECK_NAMES.join(', ')}`);
  }
  if (values.slo !== undefined) {
    if (!existsSync(values.slo)) p.add(`--slo '${values.slo}' does not exist`);
    else {
      try {
        loadSloFile(values.slo);
      } catch (err) {
        if (!(err instanceof SloFileError)) throw err;
        for (const problem of err.problems) p.add(problem);
      }
    }
  }
  const known = scenarioNames();
  const explicit = values['load-scenarios'] !== undefined;
  const requested = explicit ? values['load-scenarios']!.split(',').map((s) => s.trim()).filter((s) => s !== '') : DEFAULT_LOAD;
  const isPath = (s: string) => /[\\/]/.test(s) || /\.(m?[jt]s)$/.test(s);
  const notes: string[] = [];
  const loadScenarios = values['no-load'] === true ? [] : requested.filter((s) => {
    if (isPath(s) ? existsSync(s) : known.includes(s)) return true;
    if (explicit) p.add(`--load-scenarios: '${s}' is neither a registered scenario (${known.join(', ') || 'none'}) nor a scenario file`);
    else notes.push(`load scenario '${s}' is not registered in this picco; its load run is skipped`);
    return false;
  });
  p.throwIfAny();

  let contract: Contract;
  try {
    contract = await Contract.load(contractPath);
  } catch (err) {
    if (err instanceof ContractError) {
      process.stderr.write(`picco verify: ${err.message}\n`);
      return EXIT.usage;
    }
    throw err;
  }
  const unreachable = await firstUnreachable(targets!, values.target !== undefined && values.target.length === 1);
  if (unreachable !== undefined) {
    process.stderr.write(`picco verify: ${unreachable}: start the backend or fix the flag\n`);
    return EXIT.usage;
  }
  const out = values.out ?? join('reports', 'out', `verify-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(out, { recursive: true });
  const startedAt = new Date();
  const say = (s: string) => {
    if (values.quiet !== true) process.stdout.write(s);
  };
  say(`picco verify ${targets!['io']} (seed ${seed})\n`);
  const checks = await runChecks({ targets: targets!, contract, seed, ...(only !== undefined ? { only } : {}) });
  for (const c of checks.checks) say(`  ${c.verdict.padEnd(4)}  ${c.name}${c.reason !== '' ? `: ${c.reason}` : ''}\n`);
  let load: LoadRun[] = [];
  let sloFile = values.slo;
  if (loadScenarios.length > 0 && sloFile === undefined) {
    sloFile = join(out, 'verify-slo.yaml');
    writeFileSync(sloFile, `# picco verify's default SLOs (give your own with --slo FILE)\n${DEFAULT_VERIFY_SLOS.map((l) => `- "${l}"`).join('\n')}\n`);
    notes.push(`no --slo given: load runs judged by ${DEFAULT_VERIFY_SLOS.join(', ')}`);
  }
  if (loadScenarios.length > 0) {
    const scales = values.scale !== undefined ? {} : DEFAULT_LOAD_SCALES;
    const scaleOf = (sc: string) => scales[sc] ?? scale;
    say(`load: ${loadScenarios.map((sc) => `${sc} at scale ${scaleOf(sc)}`).join(', ')}; speed ${speed}, ${loadDurationS}s each after its setup\n`);
    load = await runLoadPhase({ targets: targets!, scenarios: loadScenarios, scale, scales, speed, durationS: loadDurationS, ...(sloFile !== undefined ? { sloFile } : {}), outDir: out, seed, engineArgs: [
      ...(maxLag !== undefined ? ['--max-lag', String(maxLag)] : []), ...(maxDropped !== undefined ? ['--max-dropped', String(maxDropped)] : [])] });
    for (const r of load) {
      say(`  ${r.verdict.padEnd(4)}  load ${r.scenario}${r.reason !== '' ? `: ${r.reason}` : ''}\n`);
      for (const s of r.slo) say(`          ${s.pass ? 'pass' : 'FAIL'}  ${s.name} (value ${s.value ?? 'n/a'})\n`);
    }
  }
  for (const n of notes) say(`note: ${n}\n`);
  const summary = verifySummary({ targets: targets!, startedAt, endedAt: new Date(), checks, load, seed, scale });
  writeFileSync(join(out, 'summary.json'), `${JSON.stringify({ ...summary, notes }, null, 2)}\n`);
  writeFileSync(join(out, 'series.jsonl'), '');
  try {
    const { writeReports } = await import('../harness/report/index.ts');
    await writeReports(out);
  } catch (err) {
    process.stderr.write(`picco verify: the verdicts are in ${join(out, 'summary.json')}, but the report could not be rendered: ${(err as Error).message}\n`);
  }
  const word = !summary.pass ? 'FAIL' : !summary.valid ? 'INVALID (a load run measured the generator, not the target; lower --scale or give the generator its own machine)' : 'PASS';
  say(`${word}: ${join(out, 'summary.json')}\n`);
  if (!summary.pass) return EXIT.sloFailed;
  return summary.valid ? EXIT.pass : EXIT.invalid;
}

/** The first API origin that does not answer at all (any HTTP status counts as an answer). */
async function firstUnreachable(t: Targets, single: boolean): Promise<string | undefined> {
  const { request } = await import('undici');
  for (const [name, url] of Object.entries(t)) {
    const flag = `--target ${name}=`;
    let last: unknown;
    // Three tries on fresh connections: a pooled keep-alive socket the server just closed is not "unreachable".
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const r = await request(url, { method: 'GET', headers: { connection: 'close' }, headersTimeout: 10_000, bodyTimeout: 10_000, reset: true });
        await r.body.dump();
        last = undefined;
        break;
      } catch (err) {
        last = err;
        await new Promise((res) => setTimeout(res, 200));
      }
    }
    if (last !== undefined) return `${single ? '--target' : flag} ${url} cannot be reached (${(last as { code?: string }).code ?? (last as Error).message})`;
  }
  return undefined;
}
