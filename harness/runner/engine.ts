/**
 * One engine instance: releases the arrivals of its share of every schedule at their intended
 * times, sends them, records both latencies, and emits one snapshot per second. It runs in a
 * worker thread (or on the main thread with `--workers 0`, for tests).
 *
 * Timing: one wake-up releases every arrival that is due, each stamped with its own intended
 * time (never the wake-up's), and records the scheduling lag (release time − intended time).
 * Below 1 ms to the next arrival the loop yields with setImmediate (I/O runs in between), else
 * it sleeps with setTimeout. Arrivals beyond the in-flight cap are counted as dropped, never
 * queued: a queued arrival would turn the open model back into a closed one.
 *
 * @example
 * await runEngine(spec, (snap) => agg.add(snap), control);
 */
import { performance } from 'node:perf_hooks';
import { createSchedule, scheduleFacts, type ArrivalCursor } from '../executors/index.ts';
import { isOpenModel } from '../executors/index.ts';
import { Recorder, type EndpointStats } from '../metrics/recorder.ts';
import { threadLoop } from '../metrics/loop-watch.ts';
import type { SecondSnapshot } from '../metrics/snapshot.ts';
import { FastClient } from '../transport/fast-client.ts';
import { OriginPools, ArrivalClient } from '../transport/journey-client.ts';
import type { Stream } from '../scenario/types.ts';
import { now, setEpoch } from './clock.ts';
import { importScenario } from '../scenario/module.ts';
import type { DoneInfo, WorkSpec } from './work.ts';

export interface EngineControl {
  aborted: boolean;
}

interface LiveStream {
  cursor: ArrivalCursor;
  has: boolean;
  open: boolean;
  stream: Stream | undefined;
  iteration: number;
}

/** Prepared engine: built before the start signal so the first arrival is not late. */
export interface PreparedEngine {
  start(emit: (s: SecondSnapshot) => void, control: EngineControl): Promise<DoneInfo>;
  /**
   * Just before a start that was waited for (--start-at): one request per slot again, so the
   * connections the warm-up opened, idle since, are open at t = 0 (a target's keep-alive timeout
   * may be seconds). --url runs; a scenario's pools open on first use. Resolves the requests sent.
   */
  rewarm(budgetMs: number): Promise<number>;
}

export async function prepareEngine(spec: WorkSpec): Promise<PreparedEngine> {
  const rec = new Recorder();
  const streams: LiveStream[] = [];
  let fast: FastClient | undefined;
  let pools: OriginPools | undefined;
  const endpoints = new Map<string, EndpointStats>();
  let seed = spec.seed;
  let warmup = 0;

  const { limits } = spec;
  if (spec.source.kind === 'url') {
    const w = spec.source;
    const req = { url: w.url, method: w.method, headers: w.headers, connections: limits.connections, pipelining: limits.pipelining, timeoutMs: limits.timeoutMs };
    fast = new FastClient(w.body === undefined ? req : { ...req, body: Buffer.from(w.body) }, rec);
    const cursor = createSchedule(w.executor, { seed, segment: spec.segment });
    streams.push({ cursor, has: cursor.next(), open: true, stream: undefined, iteration: 0 });
    // A few requests per slot open every connection; the rest of the warm-up is the rehearsal's.
    const slots = limits.connections * limits.pipelining;
    warmup = await fast.warmup(Math.min(limits.warmup, slots * 4), slots);
  } else {
    const w = spec.source;
    seed = w.options.seed;
    const scenario = await importScenario(w.ref);
    const plan = scenario.build(w.options);
    pools = new OriginPools(w.targets, { connections: limits.connections, pipelining: limits.pipelining, timeoutMs: limits.timeoutMs });
    plan.streams.forEach((s, i) => {
      const cursor = createSchedule(s.executor, { seed, segment: spec.segment, offsetMs: (s.startS ?? 0) * 1000, stream: i });
      streams.push({ cursor, has: cursor.next(), open: isOpenModel(s.executor), stream: s, iteration: 0 });
    });
  }

  const loop = threadLoop();
  loop.worker = spec.worker;

  /**
   * Runs `streams` on the run's clock into `rec` until their schedules end and what they sent is
   * back. The rehearsal runs this same function (same closures, same feedback, same compiled
   * code) into a scratch recorder, so the run's first second runs warm code.
   */
  const schedule = (rec: Recorder, streams: LiveStream[], emit: (s: SecondSnapshot) => void, control: EngineControl, last: boolean, graceMs?: number): Promise<DoneInfo> => {
      return new Promise<DoneInfo>((resolve) => {
        const elu0 = performance.eventLoopUtilization();
        loop.start();
        let sec = 0;
        let inFlight = 0;
        let vus = 0;
        let lastStopMs = 0;
        let idleResolve: (() => void) | undefined;
        let finishing = false;
        const cap = limits.inFlightCap;
        const inflight = (): number => (fast !== undefined ? fast.inFlight : inFlight);

        const roll = (t: number): void => {
          while (t >= (sec + 1) * 1000) {
            emit(rec.snapshot(sec, inflight(), loop.second()));
            sec++;
          }
        };

        const journeyDone = (): void => {
          inFlight--;
          idleCheck();
        };
        const idleCheck = (): void => {
          if (inFlight === 0 && vus === 0 && idleResolve !== undefined) idleResolve();
        };
        const journeyFailed = (err: unknown): void => {
          rec.failures.set('journey_error', (rec.failures.get('journey_error') ?? 0) + 1);
          if (process.env.PICCO_DEBUG) process.stderr.write(`journey error: ${String(err)}\n`);
          journeyDone();
        };

        const runVu = async (ls: LiveStream, vu: number, stopMs: number): Promise<void> => {
          const s = ls.stream!;
          vus++;
          lastStopMs = Math.max(lastStopMs, Math.min(stopMs, spec.cutMs));
          while (!control.aborted && now() < stopMs && now() < spec.cutMs) {
            const index = ls.iteration++;
            const arrival = { index, citizen: s.citizenOf?.(vu) ?? vu, intendedMs: now() };
            const client = new ArrivalClient(pools!, rec, endpoints, arrival, seed, () => control.aborted);
            rec.intended++;
            inFlight++;
            try {
              await s.journey.run(client, arrival, s.params);
              journeyDone();
            } catch (err) {
              journeyFailed(err);
            }
          }
          vus--;
          idleCheck();
        };

        const release = (ls: LiveStream, t: number): void => {
          const c = ls.cursor;
          const intended = c.intendedMs;
          rec.intended++;
          rec.recordLag(t - intended);
          if (inflight() >= cap) {
            rec.dropped++;
            return;
          }
          if (fast !== undefined) {
            fast.send(intended, t - intended);
            return;
          }
          const s = ls.stream!;
          if (!ls.open) {
            rec.intended--; // a VU activation is not an arrival; its iterations are counted
            void runVu(ls, c.index, c.stopMs);
            return;
          }
          const arrival = { index: c.index, citizen: s.citizenOf?.(c.index) ?? c.index, intendedMs: intended };
          const client = new ArrivalClient(pools!, rec, endpoints, arrival, seed, () => control.aborted, t - intended);
          inFlight++;
          try {
            s.journey.run(client, arrival, s.params).then(journeyDone, journeyFailed);
          } catch (err) {
            journeyFailed(err); // a journey that throws before its first await
          }
        };

        const finish = async (): Promise<void> => {
          finishing = true;
          const ticker = setInterval(() => roll(now()), 100);
          // Journeys may think, back off and retry after their last arrival: give them longer.
          const grace = graceMs ?? (fast !== undefined ? limits.timeoutMs + 1000 : 2 * limits.timeoutMs + 30_000);
          const deadline = control.aborted ? 2000 : Math.max(0, lastStopMs - now()) + grace;
          const drained = fast !== undefined
            ? fast.drained()
            : inFlight === 0 && vus === 0 ? Promise.resolve() : new Promise<void>((r) => { idleResolve = r; });
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([drained, new Promise<void>((r) => { timer = setTimeout(r, deadline); })]);
          if (timer !== undefined) clearTimeout(timer);
          clearInterval(ticker);
          const t = now();
          roll(t);
          emit(rec.snapshot(sec, inflight(), loop.second()));
          loop.stop();
          const forced = inflight() > 0;
          if (last) await Promise.all([fast?.close(forced), pools?.close(forced)]);
          const elu = performance.eventLoopUtilization(elu0).utilization;
          resolve({ worker: spec.worker, elu, aborted: control.aborted, warmup: warmup + (fast?.rehearsed ?? 0) });
        };

        const tick = (): void => {
          if (finishing) return;
          const t = now();
          loop.observe(t);
          let next = Number.POSITIVE_INFINITY;
          // Release every due arrival in global intended order (streams merged).
          for (;;) {
            let best: LiveStream | undefined;
            let bestMs = Number.POSITIVE_INFINITY;
            for (const ls of streams) {
              if (control.aborted) ls.has = false;
              if (ls.has && ls.cursor.intendedMs < bestMs) {
                best = ls;
                bestMs = ls.cursor.intendedMs;
              }
            }
            if (best === undefined || bestMs > t) {
              next = bestMs;
              break;
            }
            if (bestMs >= spec.cutMs) {
              best.has = false;
              continue;
            }
            // An arrival counts in its intended second, so per-second counts are exact.
            if (bestMs >= (sec + 1) * 1000) roll(bestMs);
            release(best, t);
            best.has = best.cursor.next();
          }
          roll(Math.min(t, next));
          if (next === Number.POSITIVE_INFINITY) {
            // VU loops may still be running: they end at their stop time.
            void finish();
            return;
          }
          const wait = next - now();
          if (limits.batchMs > 0) setTimeout(tick, Math.min(Math.max(wait, limits.batchMs), 100));
          else if (wait < 1) setImmediate(tick);
          else setTimeout(tick, Math.min(wait - 0.5, 100));
        };

        const first = streams.reduce((m, s) => (s.has ? Math.min(m, s.cursor.intendedMs) : m), Number.POSITIVE_INFINITY);
        const wait = Number.isFinite(first) ? first - now() : 0;
        if (wait > 1) setTimeout(tick, wait - 0.5);
        else setImmediate(tick);
      });
  };

  if (fast !== undefined && spec.source.kind === 'url') await rehearse(spec, limits.warmup - warmup, fast, schedule);
  return {
    start: (emit, control) => schedule(rec, streams, emit, control, true),
    async rewarm(budgetMs) {
      if (fast === undefined) return 0;
      const slots = limits.connections * limits.pipelining;
      const n = await fast.warmup(slots, slots, budgetMs);
      warmup += n;
      return n;
    },
  };
}

/** How long the rehearsal lasts at most, ms: a second at the peak rate warms what a run runs. */
const REHEARSAL_MAX_MS = 1000;

/**
 * Before the clock starts (--url runs): what is left of `limits.warmup` after the closed-loop
 * warm-up opened the connections, through the run's own schedule loop at the run's peak rate
 * (this worker's share of it, for at most a second), into a scratch recorder, then a quiet pause. The first second otherwise runs interpreted code and, on a pinned core, shares it with
 * the optimizing compiler's threads compiling that code: the start-up stall the first second's
 * p99 showed. The pause lets the compile jobs the rehearsal queued finish before the clock starts.
 */
async function rehearse(
  spec: WorkSpec,
  requests: number,
  fast: FastClient,
  schedule: (rec: Recorder, streams: LiveStream[], emit: (s: SecondSnapshot) => void, control: EngineControl, last: boolean, graceMs?: number) => Promise<DoneInfo>,
): Promise<void> {
  if (spec.source.kind !== 'url' || requests <= 0) return;
  const peak = scheduleFacts(spec.source.executor).peak;
  if (peak <= 0) return;
  // This worker's share of the peak rate: arrivals are striped over the segment's count.
  const share = peak / spec.segment.count;
  const durationS = Math.min(REHEARSAL_MAX_MS / 1000, requests / Math.max(share, 1));
  if (durationS < 0.02) return;
  const cursor = createSchedule({ type: 'constant-arrival-rate', rate: peak, durationS }, { seed: spec.seed, segment: spec.segment });
  const scratch = new Recorder();
  const control: EngineControl = { aborted: false };
  const stop = setTimeout(() => (control.aborted = true), REHEARSAL_MAX_MS + 500);
  setEpoch(Date.now() + 5);
  // Completions go to the client's scratch recorder (a straggler that outlives the rehearsal too).
  fast.rehearsing = true;
  try {
    await schedule(scratch, [{ cursor, has: cursor.next(), open: true, stream: undefined, iteration: 0 }], () => {}, control, false, 1000);
  } finally {
    clearTimeout(stop);
    fast.endRehearsal();
  }
  await new Promise((r) => setTimeout(r, SETTLE_MS));
}

/** Quiet time after the rehearsal, ms: background compile jobs finish before the clock starts. */
const SETTLE_MS = 100;
