/**
 * How late this thread's event loop is: what the engine itself adds to a request's latency, measured
 * on the engine's thread beside the requests (as JLBH records the harness's own jitter and
 * Hyperfoil its blocked time), so a run can tell its own delay from the target's.
 *
 * Three measures, per thread, read out once per second:
 * - event-loop delay: how much later than due a timer every RESOLUTION_MS fires, p50/p99/max of
 *   the second (our own timer into an HDR histogram: perf_hooks' `monitorEventLoopDelay` drops
 *   the sample that spans a reset, so a stall just after a second's boundary would vanish from
 *   it) and of the run so far (`monitorEventLoopDelay`, never reset);
 * - utilisation: `performance.eventLoopUtilization()` over the second (1 = never idle), and, to
 *   name a cause, the thread's garbage-collection pauses (a PerformanceObserver on 'gc' entries)
 *   and on Linux its CPU time and its time runnable but waiting for a core (the kernel's
 *   /proc/thread-self/schedstat): a loop that is "busy" while the thread waits for a core is a
 *   neighbour's doing, not the engine's work; and on a virtual machine the time the hypervisor
 *   took the thread's CPUs away (steal, /proc/stat), which no other figure shows;
 * - read delay, per response: an upper bound on the time between the response being readable on
 *   its socket and the engine recording it. libuv only returns from its poll phase with what is
 *   readable, so a response recorded at t was readable no earlier than the end of the loop's last
 *   idle wait (poll); nor before its request was sent. The bound is therefore
 *   min(service time, t − end of the last idle wait). The end of the last idle wait is estimated from
 *   the loop's cumulative idle time (`performance.nodeTiming.idleTime`, which libuv only advances when
 *   a poll returns), read at every observation (each response and each engine tick): when it grew
 *   by Δ since the previous observation at s, the wait ended no earlier than s + Δ. The estimate
 *   errs late-side only (it never under-reports); with observations at least every millisecond
 *   while sending it is within about a millisecond. A loop that keeps turning without ever waiting
 *   (a pending timer or immediate in every turn makes each poll a zero-timeout one, which libuv
 *   does not count as idle) would leave that estimate where the last wait ended, tens of
 *   milliseconds back while the loop answered within a few (measured: 37 ms of read delay in a
 *   second whose 5 ms timer was never more than 7.9 ms late). So a second bound counts turns: the
 *   first observation of a turn queues an immediate, which runs in that turn's check phase, after
 *   its poll; a response recorded in turn j was not reported by turn j-1's poll, which started after
 *   turn j-2's check phase ended, so it sat readable no longer than t − (the last check phase but
 *   one that ran). The bound is the smaller of the two; a loop held up inside a turn (a burst of
 *   responses read one after another, a long synchronous call) is still counted whole, since t
 *   comes after it. A loop that never idles (saturated) bounds every response by its service time:
 *   then the run cannot tell the target's time from its own, and says so.
 *
 * @example
 * const w = new LoopWatch(); const d = w.readDelay(now(), serviceMs); const s = w.second();
 */
import { monitorEventLoopDelay, performance, PerformanceObserver, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';
import { newHistogram, percentileMs, toMicros, type Histogram } from './histogram.ts';
import { StealStat } from './steal.ts';
import { ProcFile } from './proc-file.ts';
import { now } from '../runner/clock.ts';

/** Sampling interval of the event-loop delay timer, ms. */
export const RESOLUTION_MS = 5;

export interface DelayStatsMs {
  p50: number;
  p99: number;
  max: number;
}

/** One thread's loop figures for one second (and its event-loop delay over the run so far). */
export interface LoopSecond {
  worker: number;
  /** Event-loop utilisation over the second, 0..1. */
  utilisation: number;
  eventLoopDelayMs: DelayStatsMs;
  /** Garbage-collection pauses of this thread in the second: their sum and the longest, ms. */
  gcMs: { total: number; max: number };
  /** The thread's time on a CPU and runnable but waiting for one in the second, ms (Linux; absent elsewhere). */
  cpuMs?: number;
  runQueueMs?: number;
  /**
   * Times the thread got a CPU in the second (Linux): runQueueMs / runSlices is its wait per
   * wake-up. A thread woken 1,500 times a second waits tens of µs each time for the scheduler
   * even on an idle core: 100 ms of run-queue time in 1,500 wake-ups is not a neighbour's doing.
   */
  runSlices?: number;
  /**
   * Time the hypervisor gave the thread's CPUs to other guests in the second, ms (their mean;
   * Linux, from /proc/stat in 10 ms ticks; absent elsewhere). A stolen core shows in no other
   * figure: the thread neither runs nor waits in the guest's run queue (steal.ts).
   */
  stealMs?: number;
  /** Over the run so far (the engine's whole-run figure when the run ends). */
  runEventLoopDelayMs: DelayStatsMs;
}

const nodeTiming = performance.nodeTiming;
const ms3 = (ns: number): number => Math.round(Math.max(0, ns / 1e6 - RESOLUTION_MS) * 1000) / 1000;

function stats(h: IntervalHistogram): DelayStatsMs {
  if (h.count === 0) return { p50: 0, p99: 0, max: 0 };
  return { p50: ms3(h.percentile(50)), p99: ms3(h.percentile(99)), max: ms3(h.max) };
}

export class LoopWatch {
  private idle: number;
  private seenAt: number;
  private busySince: number;
  /** now() in the last two check phases that ran a turn marker (see readDelay): [latest, the one before]. */
  private lastCheck = Number.NEGATIVE_INFINITY;
  private checkBefore = Number.NEGATIVE_INFINITY;
  private markerQueued = false;
  private readonly marker = (): void => {
    this.markerQueued = false;
    this.checkBefore = this.lastCheck;
    this.lastCheck = now();
  };
  /** This second's event-loop delay samples, µs. */
  private readonly eld: Histogram = newHistogram();
  private sampler: NodeJS.Timeout | undefined;
  private sampledAt = 0;
  /** A second monitor, never reset: perf_hooks cannot add an interval histogram into another. */
  private readonly runEld: IntervalHistogram;
  private elu: EventLoopUtilization;
  private gcTotal = 0;
  private gcMax = 0;
  private gc: PerformanceObserver | undefined;
  private sched: SchedStat | undefined;
  private schedPrev: [number, number, number] | undefined;
  private steal: StealStat | undefined;
  private stealPrev: number | undefined;

  constructor(public worker = 0) {
    this.idle = nodeTiming.idleTime;
    this.seenAt = now();
    this.busySince = this.seenAt;
    this.runEld = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.elu = performance.eventLoopUtilization();
  }

  /** Starts sampling (call when the run's clock starts: what came before is not the run's). */
  start(): void {
    this.eld.reset();
    clearInterval(this.sampler);
    this.sampledAt = performance.now();
    this.sampler = setInterval(() => {
      const t = performance.now();
      this.eld.recordValue(toMicros(t - this.sampledAt - RESOLUTION_MS));
      this.sampledAt = t;
    }, RESOLUTION_MS);
    this.sampler.unref();
    this.runEld.reset();
    this.runEld.enable();
    this.elu = performance.eventLoopUtilization();
    this.gcTotal = this.gcMax = 0;
    this.gc ??= new PerformanceObserver((list) => this.noteGc(list.getEntries()));
    this.gc.observe({ entryTypes: ['gc'] });
    // Opened by the engine's own thread: the descriptor stays bound to this thread's task.
    this.sched ??= SchedStat.open();
    this.schedPrev = this.sched?.read();
    this.steal ??= StealStat.open();
    this.stealPrev = this.steal?.read();
    this.observe(now());
  }

  stop(): void {
    clearInterval(this.sampler);
    this.sampler = undefined;
    this.runEld.disable();
    this.gc?.disconnect();
    this.sched?.close();
    this.sched = undefined;
    this.steal?.close();
    this.steal = undefined;
  }

  /** Notes the loop's idle time at t; returns how long the loop has been busy without a poll, ms. */
  observe(t: number): number {
    const idle = nodeTiming.idleTime;
    if (idle !== this.idle) {
      // The loop idled Δ since the previous observation: its last wait ended no earlier than seenAt + Δ.
      const end = this.seenAt + (idle - this.idle);
      this.busySince = end < t ? end : t;
      this.idle = idle;
    }
    this.seenAt = t;
    return t - this.busySince;
  }

  /** Upper bound on how long a response recorded at t, `serviceMs` after its send, sat readable. */
  readDelay(t: number, serviceMs: number): number {
    let bound = this.observe(t);
    // Turns: it was not in the poll of the turn before this one, which began after checkBefore.
    const sinceTurns = t - this.checkBefore;
    if (!this.markerQueued) {
      this.markerQueued = true;
      setImmediate(this.marker);
    }
    if (sinceTurns < bound) bound = sinceTurns;
    return bound < serviceMs ? bound : serviceMs > 0 ? serviceMs : 0;
  }

  private noteGc(entries: readonly { duration: number }[]): void {
    for (const e of entries) {
      this.gcTotal += e.duration;
      if (e.duration > this.gcMax) this.gcMax = e.duration;
    }
  }

  /** Reads out and resets the second's figures. */
  second(): LoopSecond {
    if (this.gc !== undefined) this.noteGc(this.gc.takeRecords()); // entries not yet delivered belong here
    const elu = performance.eventLoopUtilization(this.elu);
    this.elu = performance.eventLoopUtilization();
    const eventLoopDelayMs: DelayStatsMs = { p50: percentileMs(this.eld, 50), p99: percentileMs(this.eld, 99), max: this.eld.totalCount === 0 ? 0 : Math.round(this.eld.maxValue) / 1000 };
    this.eld.reset();
    const gcMs = { total: Math.round(this.gcTotal * 1000) / 1000, max: Math.round(this.gcMax * 1000) / 1000 };
    this.gcTotal = this.gcMax = 0;
    const out: LoopSecond = {
      worker: this.worker,
      utilisation: Math.round(elu.utilization * 1000) / 1000,
      eventLoopDelayMs,
      gcMs,
      runEventLoopDelayMs: stats(this.runEld),
    };
    const sched = this.sched?.read();
    if (sched !== undefined && this.schedPrev !== undefined) {
      out.cpuMs = Math.round((sched[0] - this.schedPrev[0]) * 10) / 10;
      out.runQueueMs = Math.round((sched[1] - this.schedPrev[1]) * 10) / 10;
      out.runSlices = sched[2] - this.schedPrev[2];
    }
    this.schedPrev = sched;
    const steal = this.steal?.read();
    if (steal !== undefined && this.stealPrev !== undefined) out.stealMs = Math.round(Math.max(0, steal - this.stealPrev));
    this.stealPrev = steal;
    return out;
  }
}

/** The calling thread's /proc/thread-self/schedstat: ns on a CPU, ns runnable waiting for one, times it got a CPU. */
class SchedStat {
  private constructor(private readonly file: ProcFile) {}

  static open(): SchedStat | undefined {
    const file = ProcFile.open('/proc/thread-self/schedstat', 128);
    if (file === undefined) return undefined;
    const s = new SchedStat(file);
    if (s.read() !== undefined) return s;
    file.close();
    return undefined;
  }

  /** [ms on a CPU, ms waiting for a CPU, times on a CPU] since the thread started. */
  read(): [number, number, number] | undefined {
    const f = this.file.text()?.split(' ');
    if (f === undefined) return undefined;
    const cpu = Number(f[0]);
    const wait = Number(f[1]);
    const slices = Number(f[2]);
    return Number.isFinite(cpu) && Number.isFinite(wait) ? [cpu / 1e6, wait / 1e6, Number.isFinite(slices) ? slices : 0] : undefined;
  }

  close(): void {
    this.file.close();
  }
}

let current: LoopWatch | undefined;

/** This thread's watch: one event loop per thread, so one watch, shared by its clients. */
export function threadLoop(): LoopWatch {
  return (current ??= new LoopWatch());
}
