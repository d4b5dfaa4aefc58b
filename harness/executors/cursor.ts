/**
 * The shape every executor yields: a cursor over arrivals in intended-time order. A cursor is
 * a mutable object (`index`, `intendedMs`, `next()`) rather than an iterator of fresh objects,
 * so the engine's hot loop allocates nothing per arrival. Cursors never touch a socket.
 *
 * @example
 * const c = constantRate({ rate: 100, durationS: 2 }, { seed: 1, segment: WHOLE });
 * while (c.next()) console.log(c.index, c.intendedMs);
 */
import type { Segment } from './segment.ts';

export interface ArrivalCursor {
  /** Global index of the current arrival within its stream (the same across segments). */
  index: number;
  /** Intended start of the current arrival, ms since the run's start. */
  intendedMs: number;
  /**
   * For closed-model (VU) executors: when the VU started at this activation must stop, ms.
   * Infinity for open-model arrivals.
   */
  stopMs: number;
  /** Advances to the next arrival of this segment; false when the schedule is exhausted. */
  next(): boolean;
}

export interface ScheduleOptions {
  seed: number;
  segment: Segment;
  /** Shifts every intended time (a stream's `startS`), ms. Default 0. */
  offsetMs?: number;
  /** A salt distinguishing streams with the same seed. Default 0. */
  stream?: number;
}

/** Drains a cursor into arrays (tests and `picco plan`; never the hot path). */
export function collect(c: ArrivalCursor, limit = Number.POSITIVE_INFINITY): { index: number[]; ms: number[] } {
  const index: number[] = [];
  const ms: number[] = [];
  while (index.length < limit && c.next()) {
    index.push(c.index);
    ms.push(c.intendedMs);
  }
  return { index, ms };
}
