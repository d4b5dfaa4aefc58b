/**
 * summary.json's and series.jsonl's schemas (schemaVersion 1): what every reader of a run
 * directory (report, merge, capacity, the live dashboard) validates, kept beside the writer
 * (summary.ts) so the shape is declared in one place. The writer's `Summary` is the full shape;
 * the schema holds the fields readers draw, loose about extra keys (the engine adds fields
 * without breaking reports) and tolerant of what older runs lack. A test builds a summary with
 * the writer and parses it with this schema, so the two cannot drift apart.
 *
 * @example
 * const s = summarySchema.parse(JSON.parse(readFileSync('summary.json', 'utf8')));
 */
import { z } from 'zod';

const num = z.number().nullable().optional().transform((v) => (v === null || v === undefined || !Number.isFinite(v) ? null : v));

export const percentiles = z.looseObject({ p50: num, p90: num, p95: num, p99: num, p999: num, max: num });

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

