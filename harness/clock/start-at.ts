/**
 * `--start-at TIME`: the wall-clock instant that is t = 0 of the schedule, the same for every
 * segment of a distributed run. TIME is an ISO 8601 instant with its zone (`2026-12-08T09:00:00Z`,
 * `...T10:00:00+01:00`) or `+D` from now (`+30s`, `+2m`, `+1m30s`). A zone-less instant is
 * refused: each machine would read it in its own time zone, which is the staggered start again.
 *
 * `+D` is resolved by the process that reads it, so it names one instant only for one process:
 * with `--segment K/N` the instant must be resolved once and handed to every segment (the SSH
 * script and the Kubernetes submit script do that).
 *
 * @example
 * parseStartAt('+30s', Date.now()); // { ok: true, epochMs: now + 30000, relative: true }
 * lateByMs(epochMs, Date.now());   // > maxLag: refuse to start
 */
export type StartAt = { ok: true; epochMs: number; relative: boolean } | { ok: false; problem: string };

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function relativeMs(text: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let end = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    end = re.lastIndex;
  }
  return end > 0 && end === text.length ? total : undefined;
}

export function parseStartAt(text: string, nowMs: number): StartAt {
  const t = text.trim();
  if (t.startsWith('+')) {
    const ms = relativeMs(t.slice(1));
    if (ms === undefined) return { ok: false, problem: `--start-at '${text}' is not +DURATION: write e.g. +30s, +2m or +1m30s` };
    return { ok: true, epochMs: Math.round(nowMs + ms), relative: true };
  }
  if (!ISO.test(t)) {
    const hint = /^\d{4}-\d{2}-\d{2}T[\d:.]+$/.test(t) ? ' (give its zone, Z or +01:00: every machine would read a zone-less time in its own zone)' : '';
    return { ok: false, problem: `--start-at '${text}' is not an ISO instant or +DURATION: write e.g. 2026-12-08T09:00:00Z or +30s${hint}` };
  }
  const ms = Date.parse(t);
  if (!Number.isFinite(ms)) return { ok: false, problem: `--start-at '${text}' is not a valid instant` };
  return { ok: true, epochMs: ms, relative: false };
}

/** How late `nowMs` is for the instant (negative: early). */
export function lateByMs(epochMs: number, nowMs: number): number {
  return nowMs - epochMs;
}

/** The exit-2 message of a segment that reached its start instant later than the bound. */
export function lateProblem(text: string, lateMs: number, maxLagMs: number): string {
  return `--start-at ${text}: this process reached it ${Math.round(lateMs).toLocaleString('en-US')} ms late (bound: --max-lag ${maxLagMs} ms); a late segment would shift its stripe of every second and fake the peak, so it does not start: give an instant with more margin`;
}
