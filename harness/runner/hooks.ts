/**
 * The run's extension point, for the parts that watch a run without being the engine (the live
 * dashboard, report writing). A hook sees each merged second as it is finalized and the final
 * summary once outputs are written. Hooks never slow the engine: they run on the main thread,
 * which only aggregates.
 *
 * Two ways in:
 * - `runEvents` (an EventEmitter): 'start' (RunStartInfo), 'second' (SeriesLine), 'finish' (RunFinishInfo);
 * - a module `harness/report/run-hooks.ts` exporting `createRunHooks(opts: ExtensionOptions): RunHooks`,
 *   loaded by `picco run` when `--report` or `--dashboard` is given (see loadExtensionHooks).
 *
 * @example
 * runEvents.on('second', (line: SeriesLine) => dashboard.push(line));
 */
import { EventEmitter } from 'node:events';
import type { SeriesLine } from '../metrics/aggregate.ts';
import type { Summary } from '../output/summary.ts';

export interface RunStartInfo {
  runId: string;
  outDir: string;
  scenario: string;
  target: string;
  durationS: number;
  rate: number;
}

export interface RunFinishInfo {
  runId: string;
  outDir: string;
  summary: Summary;
  /** 0 pass, 99 SLO failed, 98 invalid. */
  exitCode: number;
}

export interface RunHooks {
  onStart?(info: RunStartInfo): void | Promise<void>;
  onSecond?(line: SeriesLine): void;
  /** Called after summary.json, series.jsonl and histograms.json are written (e.g. to write reports). */
  onFinish?(info: RunFinishInfo): void | Promise<void>;
}

export interface ExtensionOptions {
  /** `--report`: write the reports into the run's out dir at the end. */
  report: boolean;
  /** `--dashboard [PORT]`: serve a live dashboard on this port (0 = any free port). */
  dashboard: number | undefined;
  outDir: string;
}

export const runEvents = new EventEmitter();

/** Loads the reports part's hooks if it provides them; [] when absent. */
export async function loadExtensionHooks(opts: ExtensionOptions): Promise<{ hooks: RunHooks[]; missing: boolean }> {
  if (!opts.report && opts.dashboard === undefined) return { hooks: [], missing: false };
  try {
    const mod = (await import('../report/run-hooks.ts' as string)) as { createRunHooks?: (o: ExtensionOptions) => RunHooks | Promise<RunHooks> };
    if (typeof mod.createRunHooks !== 'function') return { hooks: [], missing: true };
    return { hooks: [await mod.createRunHooks(opts)], missing: false };
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') return { hooks: [], missing: true };
    throw err;
  }
}
