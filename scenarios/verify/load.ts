/**
 * The load half of `picco verify`: a short staged run of each load scenario (default card-peak
 * and update-reenroll, the 7 Dec surge) against the vendor's target at the vendor's scale, run
 * by the engine itself (`picco run` in a child process: the engine keeps its own event loop and
 * workers, and its exit code and summary.json are the same a CI would get), judged by the SLO
 * file (or each scenario's default SLOs). Each run writes its own run directory under
 * OUT/load/<scenario>/ with the full report.
 *
 * `durationS` is the load window each scenario runs AFTER its setup: a launch window's preload
 * (update-reenroll re-creates the wallets citizens had before 7 Dec, at a pace of its own) comes
 * on top, so `picco run --duration` gets setup + window and the window is never eaten by it.
 *
 * @example
 * const runs = await runLoadPhase({ targets, scenarios: ['card-peak'], scale: 0.01, speed: 60, durationS: 30, outDir });
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Targets } from '../../harness/scenario/types.ts';
import { getScenario } from '../index.ts';

const BIN = fileURLToPath(new URL('../../bin/picco.js', import.meta.url));

export interface LoadRun {
  scenario: string;
  dir: string;
  exit: number;
  /** pass: exit 0; fail: an SLO failed (99); invalid: the generator could not keep up (98); error: anything else. */
  verdict: 'pass' | 'fail' | 'invalid' | 'error';
  reason: string;
  /** The scale it ran at and `picco run --duration` (setup + load window), seconds. */
  scale?: number;
  durationS?: number;
  slo: Array<{ name: string; threshold: string; value: number | null; pass: boolean }>;
  requests?: { total: number; ok: number; failed: number; dropped: number };
  latencyP99Ms?: number | null;
}

export interface LoadOptions {
  targets: Targets;
  scenarios: readonly string[];
  scale: number;
  /** A scale per scenario, over `scale` (verify's defaults differ per scenario). */
  scales?: Readonly<Record<string, number>>;
  speed: number;
  durationS: number;
  sloFile?: string;
  outDir: string;
  seed: number;
  /** Extra flags for `picco run` (e.g. --max-lag). */
  engineArgs?: readonly string[];
}

function dirName(scenario: string): string {
  return scenario.replace(/^.*[\\/]/, '').replace(/\.[mc]?[jt]s$/, '').replace(/[^A-Za-z0-9_-]+/g, '_');
}

function runPicco(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    child.on('close', (code) => res({ code: code ?? 1, stderr }));
  });
}

/**
 * Seconds of run time a registered scenario spends on setup before its load window at this
 * scale and speed: the preload of a launch window (its 'preload-wallets' stream), else 0. Planned
 * for the whole window unless `durationS` names the cut (a shorter cut needs no more, often
 * less). Scenario files are not planned here.
 */
export function setupSeconds(scenario: string, o: { scale: number; speed: number; seed: number; durationS?: number }): number {
  const plan = getScenario(scenario)?.build({ scale: o.scale, speed: o.speed, seed: o.seed, ...(o.durationS !== undefined ? { durationS: o.durationS } : {}) });
  const preload = plan?.streams.find((s) => s.name === 'preload-wallets');
  if (preload === undefined || preload.executor.type !== 'constant-arrival-rate') return 0;
  return Math.ceil((preload.startS ?? 0) + preload.executor.durationS);
}

export async function runLoadPhase(o: LoadOptions): Promise<LoadRun[]> {
  const runs: LoadRun[] = [];
  for (const scenario of o.scenarios) {
    const dir = resolve(join(o.outDir, 'load', dirName(scenario)));
    const scale = o.scales?.[scenario] ?? o.scale;
    const runS = setupSeconds(scenario, { scale, speed: o.speed, seed: o.seed }) + o.durationS;
    const args = [
      'run', scenario,
      ...Object.entries(o.targets).flatMap(([name, url]) => ['--target', `${name}=${url}`]),
      '--scale', String(scale), '--speed', String(o.speed), '--duration', `${runS}s`,
      '--seed', String(o.seed), '--out', dir, '--quiet', '--report',
      ...(o.sloFile !== undefined ? ['--slo', o.sloFile] : []),
      ...(o.engineArgs ?? []),
    ];
    const { code, stderr } = await runPicco(args);
    const run: LoadRun = { scenario, dir, exit: code, verdict: code === 0 ? 'pass' : code === 99 ? 'fail' : code === 98 ? 'invalid' : 'error', reason: '', scale, durationS: runS, slo: [] };
    const summaryPath = join(dir, 'summary.json');
    if (existsSync(summaryPath)) {
      const s = JSON.parse(readFileSync(summaryPath, 'utf8')) as {
        slo?: LoadRun['slo']; requests?: LoadRun['requests']; latencyMs?: { p99?: number | null };
      };
      run.slo = s.slo ?? [];
      if (s.requests !== undefined) run.requests = s.requests;
      run.latencyP99Ms = s.latencyMs?.p99 ?? null;
    }
    const failed = run.slo.filter((x) => !x.pass);
    if (run.verdict === 'fail') run.reason = failed.length > 0 ? failed.map((f) => `${f.name} (value ${f.value ?? 'n/a'})`).join('; ') : 'an SLO failed';
    else if (run.verdict === 'invalid') run.reason = 'the load generator could not keep up: the numbers are not the target\'s (lower --scale or add machines with --segment)';
    else if (run.verdict === 'error') run.reason = `picco run exited ${code}: ${stderr.trim().split('\n').slice(-3).join(' ')}`;
    runs.push(run);
  }
  return runs;
}
