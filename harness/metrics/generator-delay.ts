/**
 * Is a run's latency the target's? Judged per second from what the engine measured of itself
 * (LoopWatch, scheduling lag): a second whose generator delay — per request, how late the engine
 * released it plus how long its response sat readable before being recorded — exceeds the bound
 * at the percentile an SLO judges describes the generator, not the target. One such second makes
 * the run invalid (exit 98), whatever the run-wide figures say: a start-up stall or a GC pause
 * otherwise hides in a long run's p99 and lands on the target.
 *
 * The cause named for each late second, from the engine threads' own figures of that second, first
 * match wins: GC when a pause accounts for at least half the delay; the hypervisor when it took
 * the engine's core from the virtual machine (steal, steal.ts) for at least half the delay and
 * at least STEAL_MIN_MS; a busy core when a thread
 * waited for a CPU (runnable, not running: the kernel's run-queue time) for at least the delay or
 * a tenth of the second, and on average at least WAKE_UP_WAIT_MS each time it got one (many
 * short waits are the scheduler's wake-up latency, paid on an idle core too: perf sched showed
 * an engine thread at 97 ms of run-queue time in 1,543 wake-ups, p50 43 µs, with both cores
 * half idle); start-up in the run's first second; CPU saturation when a thread's event loop was
 * busy ≥ 90 % of the second; otherwise the engine's own loop held up: synchronous work, or a
 * burst of responses (a server's group commit answers hundreds at once) read one after another.
 *
 * A target that falls behind: when more requests were in flight at a late second's end than the
 * target answered in it (by Little's law, over a second each on average), the message says so.
 * What the engine keeps alive for a request in flight (its journey, its undici request, the
 * responses the journey holds) survives the young generation's collections while it waits, so
 * each scavenge copies all of it: the engine's pauses grow with the target's backlog (a 7 Dec
 * peak with about 10,000 in flight: 30-50 ms scavenges, docs/benchmarks.md, ninth round). The
 * run stays invalid, since those seconds' latency holds the engine's pauses; the remedy is a load
 * the target holds, not a larger engine.
 *
 * @example
 * const v = judgeGeneratorDelay(agg.seconds, { percentile: 99, maxMs: 25 });
 * if (v.late.length > 0) console.error(v.reason);
 */
import { decode, percentileMs } from './histogram.ts';
import type { SecondRecord, ThreadSecond } from './aggregate.ts';

export type LateCause = 'gc' | 'steal' | 'busy-core' | 'start-up' | 'cpu-saturation' | 'blocked';

export interface LateSecond {
  t: number;
  /** Generator delay of the second at the judged percentile, ms. */
  delayMs: number;
  /** Worst thread's event-loop delay max, utilisation and longest GC pause in that second. */
  eventLoopDelayMaxMs: number;
  utilisation: number;
  gcMaxMs: number;
  /** Longest a thread waited for a CPU in that second (Linux), ms. */
  runQueueMs?: number;
  /** How many times that thread got a CPU in the second (Linux): its wait per wake-up is runQueueMs / runSlices. */
  runSlices?: number;
  /** Most time the hypervisor took an engine thread's CPUs away in that second (steal; Linux on a virtual machine), ms. */
  stealMs?: number;
  /** Requests in flight at the second's end, and requests answered in it (a target's backlog: inFlight > completed). */
  inFlight: number;
  completed: number;
  cause: LateCause;
}

export interface GeneratorVerdict {
  /** The percentile judged (from the SLOs; 99 without one). */
  percentile: number;
  maxMs: number;
  /** The worst second's generator delay at that percentile, ms (0 for an empty run). */
  worstMs: number;
  worstSecond: number | undefined;
  late: LateSecond[];
  /** The message for an invalid run; undefined when no second was late. */
  reason: string | undefined;
}

const CAUSE_TEXT: Record<LateCause, string> = {
  gc: 'garbage collection in the engine thread',
  steal: "the hypervisor (it gave the engine's core to other guests of the host: steal time, which the engine thread can neither use nor see as waiting)",
  'busy-core': "a busy core (the engine thread was runnable but waited for a CPU: other processes or threads on the engine's core)",
  'start-up': 'start-up (the first second)',
  'cpu-saturation': 'CPU saturation of the engine thread',
  blocked: "the engine thread's event loop held up by its own work (synchronous code, or a burst of responses read one after another)",
};

/** In flight at least this many, and more than were answered in the second: the target had fallen behind. */
export const BACKLOG_MIN = 100;

const behind = (l: LateSecond): boolean => l.inFlight >= BACKLOG_MIN && l.inFlight > l.completed;

/** Steal below this in a second is not named as a cause (/proc/stat counts it in 10 ms ticks). */
export const STEAL_MIN_MS = 20;

/** Below this average wait per wake-up, run-queue time is the scheduler's latency, not a busy core. */
export const WAKE_UP_WAIT_MS = 0.25;

interface Worst {
  eld: number;
  elu: number;
  gc: number;
  runQueue: number | undefined;
  /** Wake-ups of the thread that waited longest (undefined where the kernel does not say). */
  runSlices?: number;
  /** The most steal of a thread's CPUs (undefined where /proc/stat does not say). */
  steal?: number;
}

function worstThread(threads: readonly ThreadSecond[] | undefined): Worst {
  const w: Worst = { eld: 0, elu: 0, gc: 0, runQueue: undefined };
  let waiter: ThreadSecond | undefined;
  for (const th of threads ?? []) {
    w.eld = Math.max(w.eld, th.eventLoopDelayMs.max);
    w.elu = Math.max(w.elu, th.utilisation);
    w.gc = Math.max(w.gc, th.gcMs?.max ?? 0);
    if (th.runQueueMs !== undefined && th.runQueueMs >= (waiter?.runQueueMs ?? 0)) waiter = th;
    if (th.stealMs !== undefined) w.steal = Math.max(w.steal ?? 0, th.stealMs);
  }
  w.runQueue = waiter?.runQueueMs;
  if (waiter?.runSlices !== undefined) w.runSlices = waiter.runSlices;
  return w;
}

export function causeOf(t: number, delayMs: number, w: Omit<Worst, 'eld'>): LateCause {
  if (w.gc >= delayMs / 2) return 'gc';
  if (w.steal !== undefined && w.steal >= STEAL_MIN_MS && w.steal >= delayMs / 2) return 'steal';
  const longWaits = w.runSlices === undefined || w.runSlices === 0 || (w.runQueue ?? 0) / w.runSlices >= WAKE_UP_WAIT_MS;
  if (w.runQueue !== undefined && (w.runQueue >= delayMs || w.runQueue >= 100) && longWaits) return 'busy-core';
  if (t === 0) return 'start-up';
  if (w.elu >= 0.9) return 'cpu-saturation';
  return 'blocked';
}

const f1 = (x: number): string => x.toFixed(1);

/** The sentence on a target's backlog in the late seconds, or '' when it kept up. */
function backlog(late: readonly LateSecond[]): string {
  const seconds = late.filter(behind);
  if (seconds.length === 0) return '';
  const worst = seconds.reduce((a, b) => (b.inFlight > a.inFlight ? b : a));
  const which = seconds.length === 1 ? `second ${worst.t}` : `${seconds.length} of them (second ${worst.t}: the most)`;
  const each = worst.completed > 0 ? `, about ${f1(worst.inFlight / worst.completed)} s each by Little's law` : '';
  return `. In ${which} the target had fallen behind: ${worst.inFlight} requests in flight against ${worst.completed} answered in the second${each}. `
    + 'What the engine holds for requests in flight grows with them, and its collections with it: a smaller --rate or --scale finds the load the target holds';
}

export function judgeGeneratorDelay(seconds: readonly SecondRecord[], o: { percentile: number; maxMs: number }): GeneratorVerdict {
  const late: LateSecond[] = [];
  let worstMs = 0;
  let worstSecond: number | undefined;
  for (const s of seconds) {
    if (s.genDelay === undefined || s.genDelay === '') continue;
    const delayMs = percentileMs(decode(s.genDelay), o.percentile);
    if (worstSecond === undefined || delayMs > worstMs) {
      worstMs = delayMs;
      worstSecond = s.t;
    }
    if (delayMs <= o.maxMs) continue;
    const w = worstThread(s.threads);
    const l: LateSecond = { t: s.t, delayMs, eventLoopDelayMaxMs: w.eld, utilisation: w.elu, gcMaxMs: w.gc,
      inFlight: s.inFlight, completed: s.completed, cause: causeOf(s.t, delayMs, w) };
    if (w.runQueue !== undefined) l.runQueueMs = w.runQueue;
    if (w.runSlices !== undefined) l.runSlices = w.runSlices;
    if (w.steal !== undefined) l.stealMs = w.steal;
    late.push(l);
  }
  let reason: string | undefined;
  if (late.length > 0) {
    const shown = late.slice(0, 5).map((l) =>
      `second ${l.t} (${f1(l.delayMs)} ms; event-loop delay up to ${f1(l.eventLoopDelayMaxMs)} ms, utilisation ${Math.round(l.utilisation * 100)} %` +
      `${l.gcMaxMs > 0 ? `, longest GC ${f1(l.gcMaxMs)} ms` : ''}${(l.runQueueMs ?? 0) >= 1 ? `, waited ${Math.round(l.runQueueMs!)} ms for a CPU${l.runSlices !== undefined && l.runSlices > 0 ? ` over ${l.runSlices} wake-ups` : ''}` : ''}`
      + `${(l.stealMs ?? 0) >= STEAL_MIN_MS ? `, the hypervisor took about ${l.stealMs} ms of its core` : ''}: likely ${CAUSE_TEXT[l.cause]})`,
    );
    const more = late.length > 5 ? `, and ${late.length - 5} more` : '';
    const busyCore = late.some((l) => l.cause === 'busy-core') ? ', and keep other work off the engine\'s core' : '';
    const stolen = late.some((l) => l.cause === 'steal') ? '; where the hypervisor took the core, run again on a quieter host or a machine with dedicated cores' : '';
    reason =
      `the generator's own delay (scheduling lag + read delay) at p${o.percentile} exceeded ${o.maxMs} ms (--max-lag) in ${late.length} of ${seconds.length} seconds: ` +
      `${shown.join(', ')}${more}. Latency there is the generator's, not the target's: give the engine more room with --workers N (one engine thread per free core) or offer a smaller --rate${busyCore}${stolen}${backlog(late)}`;
  }
  return { percentile: o.percentile, maxMs: o.maxMs, worstMs, worstSecond, late, reason };
}
