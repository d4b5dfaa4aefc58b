/**
 * How `picco report --merge` lines segments up: by the wall-clock instant of each segment's
 * t = 0, not by second index. A segment records (summary.json `start`) the intended instant of
 * its t = 0 on its own clock, its clock's measured offset against a reference (the target's Date
 * header or `--clock-ref`), and its release lag at t = 0. On the reference clock its schedule
 * then went out at `intendedAt + clockOffsetMs + releaseLagMs`.
 *
 * - Rows are shifted to the earliest segment's second: second t of a segment that started 3 s
 *   after the first is merged into second t + 3, so the merged series shows what the target saw
 *   (three staggered copies of a stripe stay staggered), never the planned peak by construction.
 * - The skew is the spread of the actual starts on the reference clock. Above the lag bound
 *   (the segments' `--max-lag`, default 25 ms) the union is not the schedule it claims to be:
 *   the merged run is invalid (exit 98), for the same reason a generator that lags its schedule
 *   is.
 *
 * Runs without `start` (before it existed) use `startedAt`, which was the intended t = 0 too;
 * unmeasured offsets count as 0, with a note.
 *
 * @example
 * const a = alignSegments(runs); a.shiftS[k]; a.skewMs; a.invalidReason;
 */
import type { RunData } from '../report/run-data.ts';

export interface SegmentStart {
  segment: string;
  intendedAt: string | null;
  clockOffsetMs: number | null;
  releaseLagMs: number | null;
  /** Actual start on the reference clock, ms after the earliest segment's intended start. */
  startMs: number | null;
  /** Seconds this segment's rows were shifted by in the merged series. */
  shiftS: number;
}

export interface Alignment {
  shiftS: number[];
  /** Intended t = 0 of the merged run (earliest segment, on the reference clock). */
  intendedAt: string | null;
  skewMs: number | null;
  boundMs: number;
  segments: SegmentStart[];
  notes: string[];
  invalidReason?: string;
}

const DEFAULT_BOUND_MS = 25;

const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function startOf(run: RunData): { intendedMs: number | null; offset: number | null; releaseLag: number | null } {
  const s = run.summary as Record<string, unknown>;
  const start = (s['start'] ?? {}) as Record<string, unknown>;
  const at = typeof start['intendedAt'] === 'string' ? start['intendedAt'] : run.summary.startedAt;
  const ms = at === undefined ? NaN : Date.parse(at);
  return { intendedMs: Number.isFinite(ms) ? ms : null, offset: numOrNull(start['clockOffsetMs']), releaseLag: numOrNull(start['releaseLagMs']) };
}

function boundOf(run: RunData): number | null {
  const b = (run.summary.generator?.['bounds'] ?? {}) as Record<string, unknown>;
  return numOrNull(b['maxLagP99Ms']);
}

export function alignSegments(runs: readonly RunData[], label: (r: RunData) => string): Alignment {
  const starts = runs.map(startOf);
  const bounds = runs.map(boundOf).filter((b): b is number => b !== null);
  const boundMs = bounds.length > 0 ? Math.min(...bounds) : DEFAULT_BOUND_MS;
  const notes: string[] = [];
  if (starts.some((s) => s.intendedMs === null)) {
    notes.push('some segments record no start instant: merged by second index, skew unknown');
    return {
      shiftS: runs.map(() => 0), intendedAt: null, skewMs: null, boundMs, notes,
      segments: runs.map((r, k) => ({ segment: label(r), intendedAt: null, clockOffsetMs: starts[k]!.offset, releaseLagMs: starts[k]!.releaseLag, startMs: null, shiftS: 0 })),
    };
  }
  const unmeasured = runs.filter((_, k) => starts[k]!.offset === null).map(label);
  if (runs.length > 1 && unmeasured.length > 0) notes.push(`clock offset not measured for ${unmeasured.join(', ')}: taken as 0 (the skew assumes those clocks agree)`);
  // On the reference clock: when each segment meant to start, and when it did.
  const meant = starts.map((s) => s.intendedMs! + (s.offset ?? 0));
  const actual = starts.map((s, k) => meant[k]! + Math.max(0, s.releaseLag ?? 0));
  const ref = Math.min(...meant);
  const shiftS = meant.map((m) => Math.round((m - ref) / 1000));
  const skewMs = Math.round((Math.max(...actual) - Math.min(...actual)) * 100) / 100;
  const segments = runs.map((r, k) => ({
    segment: label(r),
    intendedAt: new Date(starts[k]!.intendedMs!).toISOString(),
    clockOffsetMs: starts[k]!.offset,
    releaseLagMs: starts[k]!.releaseLag,
    startMs: Math.round((actual[k]! - ref) * 100) / 100,
    shiftS: shiftS[k]!,
  }));
  const a: Alignment = { shiftS, intendedAt: new Date(ref).toISOString(), skewMs, boundMs, segments, notes };
  if (shiftS.some((s) => s !== 0)) notes.push(`segments started seconds apart (${segments.map((s) => `${s.segment} +${s.shiftS}s`).join(', ')}): merged by wall clock, so each stripe shows in the seconds the target received it`);
  if (runs.length > 1 && skewMs > boundMs) {
    const late = segments.reduce((m, s) => ((s.startMs ?? 0) > (m.startMs ?? 0) ? s : m));
    a.invalidReason = `segment start skew ${skewMs.toLocaleString('en-US')} ms > ${boundMs} ms (--max-lag): ${late.segment} started ${skewMs.toLocaleString('en-US')} ms after the first, so the union is not the schedule (start every segment with the same --start-at)`;
  }
  return a;
}
