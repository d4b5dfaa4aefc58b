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
import { z } from 'zod';

const num = z.number().nullable().optional().transform((v) => (v === null || v === undefined || !Number.isFinite(v) ? null : v));

const percentiles = z.looseObject({ p50: num, p90: num, p95: num, p99: num, p999: num, max: num });

const endpointSummary = z.looseObject({
  count: z.number(),
  ok: z.number(),
  failed: z.number(),
  status: z.record(z.string(), z.number()).default({}),
  latencyMs: percentiles.optional(),
  serviceTimeMs: percentiles.optional(),
});

const sloResult = z.looseObject({
  name: z.string(),
  threshold: z.union([z.string(), z.number()]).transform(String),
  value: num,
  pass: z.boolean(),
});

export const summarySchema = z.looseObject({
  schemaVersion: z.literal(1),
  scenario: z.string(),
  target: z.string().optional(),
  startedAt: z.string().optional(),
  endedAt: z.string().optional(),
  durationS: z.number(),
  requests: z.looseObject({ total: z.number(), ok: z.number(), failed: z.number(), dropped: z.number() }),
  rate: z.looseObject({ target: num, achieved: num }),
  latencyMs: percentiles,
  serviceTimeMs: percentiles,
  endpoints: z.record(z.string(), endpointSummary).default({}),
  slo: z.array(sloResult).default([]),
  pass: z.boolean(),
  valid: z.boolean(),
  invalidReasons: z.array(z.string()).optional(),
  checks: z.record(z.string(), z.looseObject({ pass: z.number(), fail: z.number() })).optional(),
  outcomes: z.record(z.string(), z.number()).optional(),
  expected: z.record(z.string(), z.number()).optional(),
  failures: z.record(z.string(), z.number()).optional(),
  generator: z.record(z.string(), z.unknown()).optional(),
  config: z.record(z.string(), z.unknown()).optional(),
});

export const secondSchema = z.looseObject({
  t: z.number(),
  intended: z.number().default(0),
  started: z.number().default(0),
  completed: z.number().default(0),
  ok: z.number().default(0),
  failed: z.number().default(0),
  dropped: z.number().default(0),
  inFlight: z.number().default(0),
  status: z.record(z.string(), z.number()).default({}),
  latencyMs: percentiles.optional(),
  serviceTimeMs: percentiles.optional(),
  endpoints: z.record(z.string(), z.looseObject({ count: z.number(), ok: z.number().default(0), failed: z.number().default(0), p99: num })).default({}),
  lagMs: num,
});

export type Summary = z.infer<typeof summarySchema>;
export type Second = z.infer<typeof secondSchema>;
export type Percentiles = z.infer<typeof percentiles>;

export interface RunData {
  dir: string;
  summary: Summary;
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

export function parseSummary(json: unknown, where = 'summary.json'): Summary {
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
