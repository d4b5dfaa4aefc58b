/**
 * Reads a run directory (summary.json, series.jsonl, optional histograms.json) into typed data.
 * The schemas are the engine's output contract, validated at this edge with zod; they are
 * deliberately loose about extra keys (the engine may add fields without breaking reports) but
 * strict about the fields a report draws, so a malformed run fails with the file and field named
 * instead of rendering an empty chart.
 *
 * @example
 *   const run = loadRun('reports/out/2026-12-07T09-00-00');
 *   run.summary.latencyMs.p99; run.series.length;
 */
import { PiccoError } from '../errors.ts';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { percentiles, secondSchema, summarySchema } from '../output/summary-schema.ts';

export { secondSchema, summarySchema };

/** A summary.json as read: the written Summary (output/summary.ts), as far as the schema holds it. */
export type SummaryAsRead = z.output<typeof summarySchema>;
export type Second = z.output<typeof secondSchema>;
export type Percentiles = z.output<typeof percentiles>;

export interface RunData {
  dir: string;
  summary: SummaryAsRead;
  series: Second[];
}

/** A run directory that cannot be read; `code` is stable for scripts. */
export class RunDataError extends PiccoError {
  constructor(message: string, options?: ErrorOptions) {
    super('PICCO_ERR_RUN_DATA', message, options);
  }
}

function describe(err: z.ZodError): string {
  return err.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

export function parseSummary(json: unknown, where = 'summary.json'): SummaryAsRead {
  const r = summarySchema.safeParse(json);
  if (!r.success) throw new RunDataError(`${where} does not match schemaVersion 1: ${describe(r.error)}`);
  return r.data;
}

export function parseSecond(json: unknown, where = 'series.jsonl'): Second {
  const r = secondSchema.safeParse(json);
  if (!r.success) throw new RunDataError(`${where}: ${describe(r.error)}`);
  return r.data;
}

export function loadRun(dir: string): RunData {
  const summaryPath = join(dir, 'summary.json');
  if (!existsSync(summaryPath)) throw new RunDataError(`${summaryPath} not found: RUN_DIR must be the --out directory of a picco run`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(summaryPath, 'utf8'));
  } catch (err) {
    throw new RunDataError(`${summaryPath} is not JSON: ${(err as Error).message}`);
  }
  const summary = parseSummary(raw, summaryPath);
  const seriesPath = join(dir, 'series.jsonl');
  const series: Second[] = [];
  if (existsSync(seriesPath)) {
    const lines = readFileSync(seriesPath, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      let obj: unknown;
      try {
        obj = JSON.parse(line);
      } catch {
        throw new RunDataError(`${seriesPath}:${i + 1} is not JSON`);
      }
      series.push(parseSecond(obj, `${seriesPath}:${i + 1}`));
    });
  }
  series.sort((a, b) => a.t - b.t);
  return { dir, summary, series };
}
