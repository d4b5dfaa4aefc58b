/**
 * A picco plan as k6 `options`: one k6 scenario per stream, with the executor picco uses
 * (constant-arrival-rate, ramping-arrival-rate, constant-vus, ramping-vus), the stream's start
 * offset as `startTime` and an `exec` function that walks the stream's journey.
 *
 * k6's rates are integers per `timeUnit`; picco's are real numbers per second (a scaled-down
 * rehearsal runs 0.4 arrivals/s). The smallest of 1s, 10s, 100s, 1000s that makes every rate of
 * a stream an integer is used, so the schedule is k6's integral of the same curve. VUs: an
 * arrival-rate executor needs one VU per journey in flight; preAllocatedVUs covers the peak rate
 * for `vuSecondsPerArrival` seconds (default 2 s), maxVUs for the app's 16 s PM timeout.
 *
 * @example
 * const { options, exec } = planToOptions(plan, { thresholds: { http_req_failed: ['rate<0.01'] } });
 */
import type { ExecutorConfig, ScenarioPlan, Stage } from '../scenario/types.ts';

export interface K6Stage {
  duration: string;
  target: number;
}

export type K6Scenario =
  | { executor: 'constant-arrival-rate'; rate: number; timeUnit: string; duration: string; preAllocatedVUs: number; maxVUs: number; startTime: string; exec: string; gracefulStop: string; tags: Record<string, string> }
  | { executor: 'ramping-arrival-rate'; startRate: number; timeUnit: string; stages: K6Stage[]; preAllocatedVUs: number; maxVUs: number; startTime: string; exec: string; gracefulStop: string; tags: Record<string, string> }
  | { executor: 'constant-vus'; vus: number; duration: string; startTime: string; exec: string; gracefulStop: string; tags: Record<string, string> }
  | { executor: 'ramping-vus'; startVUs: number; stages: K6Stage[]; startTime: string; exec: string; gracefulStop: string; tags: Record<string, string> };

export interface K6Options {
  scenarios: Record<string, K6Scenario>;
  thresholds: Record<string, string[]>;
  summaryTrendStats: string[];
  discardResponseBodies: boolean;
}

export interface StreamExport {
  /** k6 scenario name. */
  scenario: string;
  /** Exported function name in the script. */
  exec: string;
  /** Index of the stream in the plan. */
  stream: number;
}

const UNITS = [1, 10, 100, 1000];

function secs(s: number): string {
  const ms = Math.round(s * 1000);
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** The smallest time unit (s) making every rate an integer (within 1e-6), else 1000 s rounded. */
export function timeUnitFor(rates: readonly number[]): number {
  for (const u of UNITS) if (rates.every((r) => Math.abs(r * u - Math.round(r * u)) < 1e-6)) return u;
  return 1000;
}

function rates(e: ExecutorConfig): number[] {
  if (e.type === 'constant-arrival-rate') return [e.rate];
  if (e.type === 'ramping-arrival-rate') return [e.startRate, ...e.stages.map((s) => s.target)];
  return [];
}

function stagesK6(stages: readonly Stage[], unit: number, vus: boolean): K6Stage[] {
  return stages.map((s) => ({ duration: secs(s.durationS), target: vus ? Math.round(s.target) : Math.round(s.target * unit) }));
}

/** k6 scenario names allow letters, digits, '_' and '-'. */
export function k6Name(name: string, taken: Set<string>): string {
  let base = name.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '') || 'stream';
  let n = base;
  for (let i = 2; taken.has(n); i++) n = `${base}_${i}`;
  taken.add(n);
  return n;
}

/** The executor truncated to `leftS` seconds (the plan's durationS cuts every stream, as picco run does). */
export function cutExecutor(e: ExecutorConfig, leftS: number): ExecutorConfig {
  if (e.type === 'constant-arrival-rate' || e.type === 'constant-vus') return { ...e, durationS: Math.min(e.durationS, leftS) };
  const stages: Stage[] = [];
  let t = 0;
  let from = e.type === 'ramping-arrival-rate' ? e.startRate : e.startVus;
  for (const st of e.stages) {
    if (t >= leftS) break;
    const d = Math.min(st.durationS, leftS - t);
    const target = d === st.durationS ? st.target : from + ((st.target - from) * d) / st.durationS;
    stages.push({ durationS: d, target });
    t += d;
    from = st.target;
  }
  return { ...e, stages };
}

export function planToOptions(
  plan: ScenarioPlan,
  o: { thresholds: Record<string, string[]>; vuSecondsPerArrival?: number; maxVuSeconds?: number },
): { options: K6Options; streams: StreamExport[]; notes: string[] } {
  const taken = new Set<string>();
  const scenarios: Record<string, K6Scenario> = {};
  const streams: StreamExport[] = [];
  const notes: string[] = [];
  const pre = o.vuSecondsPerArrival ?? 2;
  const max = o.maxVuSeconds ?? 16;
  plan.streams.forEach((s, i) => {
    const startS = s.startS ?? 0;
    if (startS >= plan.durationS) return; // the plan cuts the run before this stream starts
    const name = k6Name(s.name, taken);
    const execName = `stream_${i}`;
    const common = { startTime: secs(s.startS ?? 0), exec: execName, gracefulStop: '30s', tags: { stream: s.name } };
    const e = cutExecutor(s.executor, plan.durationS - startS);
    const peak = Math.max(0, ...rates(e));
    const vus = { preAllocatedVUs: Math.max(1, Math.ceil(peak * pre)), maxVUs: Math.max(1, Math.ceil(peak * max)) };
    const unit = timeUnitFor(rates(e));
    if ((e.type === 'constant-arrival-rate' || e.type === 'ramping-arrival-rate') && e.arrivals === 'poisson') {
      notes.push(`stream '${s.name}': picco places arrivals as a Poisson process inside each second; k6 spaces them evenly`);
    }
    switch (e.type) {
      case 'constant-arrival-rate':
        scenarios[name] = { executor: 'constant-arrival-rate', rate: Math.round(e.rate * unit), timeUnit: `${unit}s`, duration: secs(e.durationS), ...vus, ...common };
        break;
      case 'ramping-arrival-rate':
        scenarios[name] = { executor: 'ramping-arrival-rate', startRate: Math.round(e.startRate * unit), timeUnit: `${unit}s`, stages: stagesK6(e.stages, unit, false), ...vus, ...common };
        break;
      case 'constant-vus':
        scenarios[name] = { executor: 'constant-vus', vus: e.vus, duration: secs(e.durationS), ...common };
        break;
      case 'ramping-vus':
        scenarios[name] = { executor: 'ramping-vus', startVUs: e.startVus, stages: stagesK6(e.stages, 1, true), ...common };
        break;
    }
    streams.push({ scenario: name, exec: execName, stream: i });
  });
  return {
    options: { scenarios, thresholds: o.thresholds, summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'], discardResponseBodies: false },
    streams,
    notes,
  };
}
