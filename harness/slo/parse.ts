/**
 * The SLO language, k6-compatible in spirit, plus windows none of the anchors has.
 *
 * Grammar (one SLO per line or list entry):
 *
 *     slo        := metric [ "{" tag ":" value "}" ] ":" condition [ window ]
 *     condition  := aggregate op number [ "ms" | "s" | "%" ]
 *     aggregate  := "p(" number ")" | "avg" | "min" | "max" | "med" | "rate" | "count"
 *     op         := "<" | "<=" | ">" | ">=" | "==" | "!="
 *     window     := "in every" duration "window"          (duration: 10s, 1m ...)
 *
 * Metrics and the aggregates each accepts:
 *
 *     http_req_duration      latency from the INTENDED start, ms        p(N) avg min max med
 *     http_req_service_time  latency from the actual send, ms           p(N) avg min max med
 *     scheduling_lag         generator lag (release − intended), ms     p(N) avg min max med
 *     http_req_failed        share of requests not ok (0..1)            rate
 *     checks                 share of passing checks (0..1)             rate
 *     http_reqs              completed requests                         count, rate (per second)
 *     dropped_iterations     arrivals dropped at the in-flight cap      count, rate (share of intended, 0..1)
 *
 * Tags: `endpoint:<label>` on the request metrics (the label as reported, e.g.
 * `POST /v1/wallet/cc`), `check:<name>` on `checks`. Units: a trailing `s` multiplies by 1000 on
 * time metrics, `%` divides by 100 on rates. A window SLO must hold in every sliding window of
 * that length (1 s steps) over the run; a run shorter than the window is one window. With no
 * samples, a trend or rate SLO passes with value null (nothing contradicted it).
 *
 * SLO file (`--slo FILE`, YAML or JSON): a list whose entries are either a string as above or
 * `{ threshold: string, abortOnFail?: boolean, delayAbortEval?: "10s" }`; a map
 * `{ thresholds: [...] }` is accepted too. `abortOnFail` stops the run as soon as the SLO fails
 * (evaluated every second over the run so far, after `delayAbortEval`).
 *
 * @example
 * parseSlo('http_req_duration{endpoint:POST /v1/wallet/cc}: p(99)<50 in every 10s window');
 */
import { PiccoError } from '../errors.ts';
import { parseDuration } from '../config/problems.ts';

export const METRICS = {
  http_req_duration: 'trend',
  http_req_service_time: 'trend',
  scheduling_lag: 'trend',
  http_req_failed: 'rate',
  checks: 'rate',
  http_reqs: 'counter',
  dropped_iterations: 'counter',
} as const;

export type MetricName = keyof typeof METRICS;
export type Op = '<' | '<=' | '>' | '>=' | '==' | '!=';
export type Aggregate = { kind: 'p'; p: number } | { kind: 'avg' | 'min' | 'max' | 'med' | 'rate' | 'count' };

export interface Slo {
  /** The SLO as written (normalized spacing). */
  source: string;
  metric: MetricName;
  tag?: { key: string; value: string };
  aggregate: Aggregate;
  op: Op;
  /** Threshold in the metric's unit (ms, 0..1 or count). */
  value: number;
  windowS?: number;
  abortOnFail: boolean;
  delayAbortEvalS: number;
}

export class SloSyntaxError extends PiccoError {
  constructor(message: string, options?: ErrorOptions) {
    super('PICCO_ERR_SLO', message, options);
  }
}

const LINE = /^\s*([a-z_]+)\s*(?:\{\s*([a-z_]+)\s*:\s*([^}]*?)\s*\})?\s*:\s*(p\(\s*[\d.]+\s*\)|avg|min|max|med|rate|count)\s*(<=|>=|==|!=|<|>)\s*(-?[\d.]+)\s*(ms|s|%)?\s*(?:in\s+every\s+(\S+)\s+window)?\s*$/;

export function parseSlo(text: string, opts: { abortOnFail?: boolean; delayAbortEvalS?: number } = {}): Slo {
  const m = LINE.exec(text);
  if (m === null) {
    throw new SloSyntaxError(`'${text}' is not an SLO: write e.g. 'http_req_duration: p(99)<50' or 'http_req_failed: rate<0.01 in every 10s window'`);
  }
  const [, metricText, tagKey, tagValue, aggText, op, numText, unit, windowText] = m;
  if (!(metricText! in METRICS)) throw new SloSyntaxError(`'${text}': unknown metric '${metricText}'; known: ${Object.keys(METRICS).join(', ')}`);
  const metric = metricText as MetricName;
  const type = METRICS[metric];
  let aggregate: Aggregate;
  if (aggText!.startsWith('p(')) {
    const p = Number(aggText!.slice(2, -1).trim());
    if (!(p >= 0 && p <= 100)) throw new SloSyntaxError(`'${text}': percentile must be within 0..100`);
    aggregate = { kind: 'p', p };
  } else aggregate = { kind: aggText as 'avg' | 'min' | 'max' | 'med' | 'rate' | 'count' };
  const allowed = type === 'trend' ? ['p', 'avg', 'min', 'max', 'med'] : type === 'rate' ? ['rate'] : ['count', 'rate'];
  if (!allowed.includes(aggregate.kind)) {
    throw new SloSyntaxError(`'${text}': ${metric} takes ${allowed.map((a) => (a === 'p' ? 'p(N)' : a)).join(', ')}, not ${aggText}`);
  }
  let value = Number(numText);
  if (!Number.isFinite(value)) throw new SloSyntaxError(`'${text}': '${numText}' is not a number`);
  if (unit === 's' && type === 'trend') value *= 1000;
  else if (unit === '%') value /= 100;
  else if (unit !== undefined && unit !== 'ms') throw new SloSyntaxError(`'${text}': unit '${unit}' does not fit ${metric}`);
  if (unit === 'ms' && type !== 'trend') throw new SloSyntaxError(`'${text}': unit 'ms' does not fit ${metric}`);
  if (tagKey !== undefined) {
    const ok = tagKey === 'endpoint' ? metric !== 'checks' && metric !== 'dropped_iterations' && metric !== 'scheduling_lag' : tagKey === 'check' && metric === 'checks';
    if (!ok) throw new SloSyntaxError(`'${text}': tag '${tagKey}' does not apply to ${metric} (use endpoint: on request metrics, check: on checks)`);
  }
  const slo: Slo = {
    source: text.trim().replace(/\s+/g, ' '),
    metric,
    aggregate,
    op: op as Op,
    value,
    abortOnFail: opts.abortOnFail ?? false,
    delayAbortEvalS: opts.delayAbortEvalS ?? 0,
  };
  if (tagKey !== undefined) slo.tag = { key: tagKey, value: tagValue ?? '' };
  if (windowText !== undefined) {
    const w = parseDuration(windowText);
    if (w === undefined || w < 1) throw new SloSyntaxError(`'${text}': window '${windowText}' is not a duration of at least 1s`);
    slo.windowS = Math.round(w);
  }
  return slo;
}

export function compare(a: number, op: Op, b: number): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '==':
      return a === b;
    case '!=':
      return a !== b;
  }
}
