/**
 * `--start-at TIME` and `--clock-ref URL` of `picco run`, checked at the edge (exit 2 naming the
 * flag). TIME is an ISO instant with its zone or `+D` from now (harness/clock/start-at.ts).
 *
 * - An instant already past by more than --max-lag is refused now, before anything is built
 *   (the runner checks again once the engines are ready: a late segment refuses to start).
 * - `+D` without `--segment` is refused: one process has no other segment to start together
 *   with, so a relative start would only delay it; an ISO instant without `--segment` is kept
 *   (one process starting at a wall-clock instant, lined up with something else).
 * - `+D` with `--segment` is resolved by each process on its own: fine for segments launched
 *   together on one machine, said so on stderr; across machines resolve it once (the SSH and
 *   Kubernetes scripts do) and give every segment the instant.
 * - `--clock-ref`: `ntp://HOST[:PORT]` (SNTP) or an http(s) URL (its Date header). Without it, a
 *   --start-at run measures against its target's Date header (a few dozen HEAD requests before
 *   t = 0); a run without --start-at measures nothing, so it sends the target nothing extra.
 *
 * @example
 * const { startAt, clock } = parseStartFlags(f, segment, 25, problems, Date.now());
 */
import type { Problems } from './usage.ts';
import type { Segment } from '../harness/executors/segment.ts';
import type { StartInstant } from '../harness/clock/start-gate.ts';
import { parseStartAt } from '../harness/clock/start-at.ts';

export const START_FLAGS = {
  'start-at': { type: 'string' },
  'clock-ref': { type: 'string' },
} as const;

export interface StartFlags {
  startAt?: StartInstant;
  clock?: { ref?: string };
  /** A line for stderr (not a problem). */
  note?: string;
}

function checkClockRef(p: Problems, v: string): boolean {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    p.add(`--clock-ref '${v}' is not a URL: write ntp://HOST[:PORT] (SNTP) or http(s)://HOST (its Date header)`);
    return false;
  }
  if (u.protocol === 'ntp:' && u.hostname !== '' && (u.port === '' || Number(u.port) > 0)) return true;
  if ((u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '') return true;
  p.add(`--clock-ref '${v}' must be ntp://HOST[:PORT] (SNTP) or http(s)://HOST (its Date header)`);
  return false;
}

export function parseStartFlags(
  f: { 'start-at'?: string | undefined; 'clock-ref'?: string | undefined },
  segment: Segment,
  maxLagMs: number,
  p: Problems,
  nowMs: number,
): StartFlags {
  const out: StartFlags = {};
  const segmented = segment.count > 1;
  const text = f['start-at'];
  if (text !== undefined) {
    const at = parseStartAt(text, nowMs);
    if (!at.ok) p.add(at.problem);
    else if (at.relative && !segmented) {
      p.add(`--start-at '${text}' without --segment: one process has no other segment to start together with, so a relative start only delays it; give --segment K/N with the same instant for every segment, or an ISO instant to start at a wall-clock time`);
    } else if (nowMs - at.epochMs > maxLagMs) {
      p.add(`--start-at ${text} is ${Math.round(nowMs - at.epochMs).toLocaleString('en-US')} ms in the past (bound: --max-lag ${maxLagMs} ms): give a later instant`);
    } else {
      out.startAt = { epochMs: at.epochMs, text };
      if (at.relative) out.note = `--start-at ${text} is resolved by this process (${new Date(at.epochMs).toISOString()}): segments on other machines must get that instant, not ${text}`;
    }
  }
  const ref = f['clock-ref'];
  if (ref !== undefined) {
    if (checkClockRef(p, ref)) out.clock = { ref };
  } else if (out.startAt !== undefined) {
    out.clock = {};
  }
  return out;
}
