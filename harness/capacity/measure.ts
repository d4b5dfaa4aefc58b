/**
 * One capacity measurement = one real `picco run` in its own process (spawned, so the engine's
 * event loop and memory start clean every time and a crash costs one trial, not the search).
 * The offered load is the scenario at `--scale F`; what counts is read back from summary.json:
 * the exit code is the verdict (0 holds, 99 an SLO failed, 98 the generator fell behind).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadRun, RunDataError, type Second, type SummaryAsRead } from '../report/run-data.ts';

export const CARD_ENDPOINT = /POST .*\/v1\/wallet\/cc$/;

export interface MeasureConfig {
  target: string;
  scenario: string;
  slo?: string | undefined;
  /** Undefined: the scenario's own length. */
  durationS?: number | undefined;
  outDir: string;
  /** Extra `picco run` flags (e.g. --speed). */
  extra?: string[];
}

export interface Measurement {
  pass: boolean;
  invalid: boolean;
  exitCode: number;
  outDir: string;
  summary: SummaryAsRead | null;
  figures: Record<string, number>;
  stderr: string;
}

const BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'picco.js');

/**
 * Figures a planner reads: offered and achieved rates, card additions/s, ops/s, p99, errors.
 * Card additions/s and ops/s are taken over the seconds in which card additions were sent (the
 * burst), not the whole run: a warm-up of logins would otherwise dilute the rate that held.
 * Without a series, or without card additions, the whole run is the window.
 */
export function figuresOf(s: SummaryAsRead, series: Second[] = []): Record<string, number> {
  const d = Math.max(1e-9, s.durationS);
  const cards = Object.entries(s.endpoints).filter(([k]) => CARD_ENDPOINT.test(k)).reduce((a, [, e]) => a + e.ok, 0);
  const burst = series.filter((x) => Object.entries(x.endpoints).some(([k, e]) => CARD_ENDPOINT.test(k) && e.count > 0));
  const window = burst.length > 0 ? burst.length : d;
  const burstCards = burst.length > 0 ? burst.reduce((a, x) => a + Object.entries(x.endpoints).filter(([k]) => CARD_ENDPOINT.test(k)).reduce((b, [, e]) => b + e.ok, 0), 0) : cards;
  const burstOps = burst.length > 0 ? burst.reduce((a, x) => a + x.completed, 0) : s.requests.total;
  return {
    intendedPerS: s.rate.target ?? 0,
    achievedPerS: s.rate.achieved ?? 0,
    opsPerS: burstOps / window,
    cardAdditionsPerS: burstCards / window,
    p99Ms: s.latencyMs.p99 ?? 0,
    serviceP99Ms: s.serviceTimeMs.p99 ?? 0,
    errorRatio: s.requests.total > 0 ? s.requests.failed / s.requests.total : 0,
    dropped: s.requests.dropped,
  };
}

/** `seed` differs per trial: scenarios derive card numbers from it, and a repeat must not re-add the last run's cards (422). */
export function measureOnce(cfg: MeasureConfig, scale: number, repeat: number, seed: number): Promise<Measurement> {
  const out = join(cfg.outDir, `scale-${scale}-r${repeat}`);
  const args = [BIN, 'run', cfg.scenario, '--target', cfg.target, '--scale', String(scale), '--seed', String(seed),
    ...(cfg.durationS !== undefined ? ['--duration', `${cfg.durationS}s`] : []), '--out', out, '--quiet',
    ...(cfg.slo ? ['--slo', cfg.slo] : []), ...(cfg.extra ?? [])];
  return new Promise((res) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-2000); });
    const killer = setTimeout(() => child.kill('SIGKILL'), ((cfg.durationS ?? 600) * 4 + 60) * 1000);
    child.once('close', (code) => {
      clearTimeout(killer);
      let summary: SummaryAsRead | null = null;
      let series: Second[] = [];
      if (existsSync(join(out, 'summary.json'))) {
        try {
          ({ summary, series } = loadRun(out));
        } catch (err) {
          if (!(err instanceof RunDataError)) throw err;
          stderr += `\n${err.message}`;
        }
      }
      const exitCode = code ?? 1;
      res({
        pass: exitCode === 0 && summary !== null,
        invalid: exitCode === 98 || (summary !== null && !summary.valid),
        exitCode,
        outDir: out,
        summary,
        figures: summary ? figuresOf(summary, series) : {},
        stderr,
      });
    });
  });
}
