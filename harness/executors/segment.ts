/**
 * Execution segments (`--segment K/N`): arrival i of a stream belongs to segment K (1-based)
 * of N iff `i mod N == K-1`. Striping, rather than k6's contiguous fraction ranges, keeps every
 * segment's rate profile the same shape as the whole (each gets 1/N of every second), needs no
 * coordinator and composes: a worker's share inside a segment is again a stripe, so the union of
 * all segments (and of all workers inside one) is exactly the unsegmented schedule.
 *
 * @example
 * const s = parseSegment('2/4'); // { index: 1, count: 4 }
 * const w = subSegment(s, 0, 2); // worker 0 of 2 inside it: { index: 1, count: 8 }
 */
export interface Segment {
  /** 0-based stripe index. */
  index: number;
  /** Number of stripes. */
  count: number;
}

export const WHOLE: Segment = { index: 0, count: 1 };

/** Parses `K/N` (1 <= K <= N); undefined when malformed. */
export function parseSegment(text: string): Segment | undefined {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (m === null) return undefined;
  const k = Number(m[1]);
  const n = Number(m[2]);
  if (!Number.isSafeInteger(k) || !Number.isSafeInteger(n) || n < 1 || k < 1 || k > n) return undefined;
  return { index: k - 1, count: n };
}

/** The share of part `w` of `parts` inside `seg`; the parts partition `seg` exactly. */
export function subSegment(seg: Segment, w: number, parts: number): Segment {
  return { index: seg.index + seg.count * w, count: seg.count * parts };
}

export function inSegment(seg: Segment, i: number): boolean {
  return i % seg.count === seg.index;
}

export function formatSegment(seg: Segment): string {
  return `${seg.index + 1}/${seg.count}`;
}
