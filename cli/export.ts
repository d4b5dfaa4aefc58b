/**
 * `picco export k6 SCENARIO --out DIR`: writes DIR/script.js (a k6 script running picco's
 * journeys with ramping-arrival-rate executors and thresholds from the SLOs) and
 * DIR/testrun.yaml (a k6-operator ConfigMap + TestRun with `--parallelism` pods).
 *
 * Flags: --scale F (1), --speed F (1), --duration D (the plan's), --seed S (1), --slo FILE (the
 * plan's default SLOs), --target URL (http://127.0.0.1:8080; k6 -e PICCO_TARGET overrides it)
 * or --target-io/-pm/-bpd, --parallelism N (4).
 *
 * @example
 * picco export k6 card-peak --scale 0.01 --speed 60 --out out/k6 --parallelism 8
 */
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT, parseFlags, Problems, UsageError, HELP_FLAG, helpAsked } from './usage.ts';
import { resolveScenario, ScenarioNotFound } from './scenario-ref.ts';
import { buildK6Script, ExportError } from '../harness/export/k6-script.ts';
import { testRunYaml } from '../harness/export/k6-operator.ts';
import { hasTargets, resolveTargets, TARGET_FLAGS, targetsAt } from './targets.ts';
import type { ResolvedScenario } from './scenario-ref.ts';
import type { ScenarioRef } from '../harness/scenario/module.ts';
import { scenarioSource } from '../scenarios/index.ts';
import { loadSloFile, SloFileError } from '../harness/slo/load.ts';
import { parseSlo, SloSyntaxError, type Slo } from '../harness/slo/parse.ts';

const PACK = fileURLToPath(new URL('../scenarios/index.ts', import.meta.url));

const USAGE = 'usage: picco export k6 SCENARIO --out DIR [--scale F] [--speed F] [--duration D] [--seed S] [--slo FILE] [--target URL] [--parallelism N]\n';

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    out: { type: 'string' },
    scale: { type: 'string' },
    speed: { type: 'string' },
    duration: { type: 'string' },
    seed: { type: 'string' },
    slo: { type: 'string' },
    ...TARGET_FLAGS,
    parallelism: { type: 'string' },
    quiet: { type: 'boolean' },
    ...HELP_FLAG,
  });
  if (helpAsked(values, USAGE)) return EXIT.pass;
  const p = new Problems();
  const [format, scenarioRef, ...extra] = positionals;
  if (format !== 'k6') p.add(format === undefined ? 'FORMAT: give the export format: picco export k6 SCENARIO --out DIR' : `FORMAT '${format}' is not supported: the only format is k6`);
  if (scenarioRef === undefined) p.add('SCENARIO: give a scenario name or a path to a .ts file exporting a default Scenario');
  if (extra.length > 0) p.add(`unexpected arguments: ${extra.join(' ')}`);
  if (values.out === undefined) p.add('--out: give the directory to write script.js and testrun.yaml into');
  const scale = p.number('--scale', values.scale, { min: 0 }) ?? 1;
  const speed = p.number('--speed', values.speed, { min: 0 }) ?? 1;
  const seed = p.number('--seed', values.seed, { integer: true, min: 0 }) ?? 1;
  const parallelism = p.number('--parallelism', values.parallelism, { integer: true, min: 1 }) ?? 4;
  const durationS = p.duration('--duration', values.duration);
  if (scale === 0) p.add("--scale '0' sends nothing: give a positive factor such as 0.01");
  if (speed === 0) p.add("--speed '0' never ends: give a positive factor such as 60");
  let slo: Slo[] | undefined;
  if (values.slo !== undefined) {
    if (!existsSync(values.slo)) p.add(`--slo '${values.slo}' does not exist`);
    else {
      try {
        slo = loadSloFile(values.slo);
      } catch (err) {
        if (!(err instanceof SloFileError)) throw err;
        for (const problem of err.problems) p.add(problem);
      }
    }
  }
  let resolved: ResolvedScenario | undefined;
  if (scenarioRef !== undefined) {
    try {
      resolved = await resolveScenario(scenarioRef);
    } catch (err) {
      if (err instanceof ScenarioNotFound) p.add(`SCENARIO: ${err.message}`);
      else throw err;
    }
  }
  // the script's default targets: the flags', else every origin on the default local server
  const targets = resolved === undefined ? undefined : hasTargets(values) ? resolveTargets(values, resolved.scenario.origins, p) : targetsAt('http://127.0.0.1:8080', resolved.scenario.origins);
  p.throwIfAny();
  const scenario = resolved!.scenario;
  const plan = scenario.build({ scale, speed, seed, ...(durationS !== undefined ? { durationS } : {}) });
  try {
    const k6 = await buildK6Script({ scenarioRef: scenarioRef!, module: bundleRef(resolved!.ref), origins: scenario.origins, plan, scale, speed, seed, ...(durationS !== undefined ? { durationS } : {}), slo: slo ?? planSlos(plan.slo ?? []), targets: targets! });
    mkdirSync(values.out!, { recursive: true });
    const scriptPath = join(values.out!, 'script.js');
    const manifestPath = join(values.out!, 'testrun.yaml');
    writeFileSync(scriptPath, k6.script);
    const name = `picco-${scenario.name}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-').slice(0, 50).replace(/-+$/, '');
    const bareTarget = values.target?.find((t) => !/^[A-Za-z][\w.-]*=/.test(t) || /^https?:/.test(t));
    writeFileSync(manifestPath, testRunYaml({ name, parallelism, script: k6.script, ...(bareTarget !== undefined ? { target: bareTarget } : {}) }));
    if (Buffer.byteLength(k6.script) > 1_000_000) {
      process.stderr.write(`picco export: note: script.js is ${Buffer.byteLength(k6.script)} bytes; a Kubernetes ConfigMap holds at most 1 MiB, so mount it from a volume instead of testrun.yaml's ConfigMap\n`);
    }
    if (values.quiet !== true) {
      for (const u of k6.untranslated) process.stderr.write(`picco export: SLO not translated to k6: ${u.line} (${u.reason})\n`);
      for (const n of k6.notes) process.stderr.write(`picco export: note: ${n}\n`);
      process.stdout.write(`${scriptPath}\n${manifestPath}\n`);
    }
    return EXIT.pass;
  } catch (err) {
    if (err instanceof ExportError) {
      process.stderr.write(`picco export: ${err.message}\n`);
      return EXIT.error;
    }
    throw err;
  }
}

function planSlos(lines: readonly string[]): Slo[] {
  return lines.flatMap((l) => {
    try {
      return [parseSlo(l)];
    } catch (err) {
      if (err instanceof SloSyntaxError) process.stderr.write(`picco export: the scenario's default SLO '${l}' is not valid and is skipped: ${err.message}\n`);
      else throw err;
      return [];
    }
  });
}

/** A pack's scenario as the module that defines it (the bundle takes that module alone), else the ref as is. */
function bundleRef(ref: ScenarioRef): ScenarioRef {
  const src = ref.name !== undefined && ref.file === PACK ? scenarioSource(ref.name) : undefined;
  return src === undefined ? ref : { file: resolve(dirname(ref.file), src.file), exportName: src.exportName };
}
