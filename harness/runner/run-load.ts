/**
 * The main thread's side of a run: splits the work into one deterministic share per worker
 * (a stripe of the user's `--segment`), starts the workers, waits for all of them to be ready,
 * gives them one shared start epoch, merges their per-second snapshots exactly, and calls
 * `onSecond` for every finalized second (progress, series file, Prometheus, hooks, abort
 * checks). `workers: 0` runs the engine on this thread (tests).
 *
 * @example
 * const r = await runLoad(config, { cutMs: Infinity, onSecond: (line) => write(line) });
 */
import { PiccoError } from '../errors.ts';
import { Worker } from 'node:worker_threads';
import { Aggregate, warmAggregation, type SeriesLine } from '../metrics/aggregate.ts';
import type { SecondSnapshot } from '../metrics/snapshot.ts';
import { subSegment, type Segment } from '../executors/segment.ts';
import { prepareEngine, type EngineControl } from './engine.ts';
import { setEpoch } from './clock.ts';
import { lowerMainThread } from './thread-priority.ts';
import { agreeEpoch, type AgreedStart, type BeforeStart } from '../clock/start-gate.ts';
import type { RunConfig } from './run-config.ts';
import type { DoneInfo, WorkSpec } from './work.ts';

/** What the main thread does with the run as it goes; the run itself is the RunConfig. */
export interface LoadControl {
  /** Cut arrivals intended at or after this time (ms); Infinity for the whole schedule. */
  cutMs: number;
  onSecond?: (line: SeriesLine, agg: Aggregate) => void;
  /** Checked after every finalized second; true aborts the run (abortOnFail). */
  shouldAbort?: (agg: Aggregate) => boolean;
  /** Aborting it stops new arrivals (e.g. on SIGINT); outputs are still written. */
  signal?: AbortSignal;
}

export interface LoadResult {
  agg: Aggregate;
  /** The wall-clock instant of t = 0 (the intended start). */
  startedAt: Date;
  start: AgreedStart;
  endedAt: Date;
  done: DoneInfo[];
  aborted: boolean;
  /** CPU time of this process (all threads) from the start signal to the end, ms. */
  cpuMs: { user: number; system: number };
}

export class WorkerFailed extends PiccoError {
  constructor(message: string, options?: ErrorOptions) {
    super('PICCO_ERR_WORKER', message, options);
  }
}

/** Worker w's share of the run: its stripe of the segment and its part of every limit. */
export function shareOf(cfg: RunConfig, cutMs: number, w: number, n: number): WorkSpec {
  const l = cfg.limits;
  return {
    worker: w,
    segment: subSegment(cfg.segment, w, n),
    seed: cfg.seed,
    cutMs,
    limits: {
      ...l,
      inFlightCap: Math.max(1, Math.floor(l.inFlightCap / n)),
      connections: Math.max(1, Math.ceil(l.connections / n)),
      warmup: Math.ceil(l.warmup / n),
    },
    source: cfg.source,
  };
}

/**
 * A load worker's young generation (V8's two semi-spaces and its new large-object space), twice
 * V8's default of 48 MB on this platform. A request's own garbage (buffers, strings, promises)
 * dies within milliseconds; with semi-spaces twice as large the engine scavenges half as often,
 * and fewer objects of journeys in flight live through two scavenges into the old generation,
 * whose collections pause the load thread for tens of milliseconds in the seconds it is busiest.
 * Measured at the 7 Dec peak at 0.51 (docs/benchmarks.md, seventh round): the engine's GC over
 * the run 426 and 501 ms against 546 and 1,491 ms, its longest pause 21 and 25 ms against 34
 * and 31 ms. Not a bound on the worst pause: a scavenge takes as long as what survives it takes
 * to copy (27 MB at that peak; one later run paused 62 ms).
 */
const ENGINE_YOUNG_GENERATION_MB = 96;

/**
 * Before a --start-at instant this process waited for: the warm-up's connections have been idle
 * since (a target may close them after its keep-alive timeout), so each engine sends one request
 * per slot again this long before t = 0, within REWARM_BUDGET_MS.
 */
const REWARM_BEFORE_MS = 1000;
const REWARM_BUDGET_MS = 500;

function rewarmOf(run: () => Promise<unknown>): BeforeStart {
  return { msBefore: REWARM_BEFORE_MS, run: async () => void (await run()) };
}

function rewarmWorker(w: Worker): Promise<number> {
  return new Promise((resolve) => {
    // a worker that died does not answer: its failure is reported by the run, not waited for here
    const timer = setTimeout(() => {
      w.off('message', on);
      resolve(0);
    }, REWARM_BUDGET_MS + 300);
    const on = (m: { type: string; n?: number }): void => {
      if (m.type !== 'rewarmed') return;
      clearTimeout(timer);
      w.off('message', on);
      resolve(m.n ?? 0);
    };
    w.on('message', on);
    w.postMessage({ type: 'rewarm', budgetMs: REWARM_BUDGET_MS });
  });
}

/** Round trip of one message to a ready worker and back, ms. */
function pingMs(w: Worker): Promise<number> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const on = (m: { type: string }): void => {
      if (m.type !== 'pong') return;
      w.off('message', on);
      resolve(performance.now() - t0);
    };
    w.on('message', on);
    w.postMessage({ type: 'ping' });
  });
}

export async function runLoad(cfg: RunConfig, o: LoadControl): Promise<LoadResult> {
  const n = Math.max(1, cfg.workers);
  const agg = new Aggregate(n);
  let aborted = false;
  const specs: WorkSpec[] = [];
  for (let w = 0; w < n; w++) specs.push(shareOf(cfg, o.cutMs, w, n));
  const onSnap = (snap: SecondSnapshot, abortAll: () => void): void => {
    for (const line of agg.add(snap)) {
      o.onSecond?.(line, agg);
      if (!aborted && o.shouldAbort?.(agg) === true) {
        aborted = true;
        abortAll();
      }
    }
  };

  if (cfg.workers === 0) {
    const engine = await prepareEngine(specs[0]!);
    const control: EngineControl = { aborted: false };
    const start = await agreeEpoch(cfg, 20, o.signal, Date.now, rewarmOf(() => engine.rewarm(REWARM_BUDGET_MS)));
    const epoch = start.epochMs;
    setEpoch(epoch);
    const cpu0 = process.cpuUsage();
    const startedAt = new Date(epoch);
    const stop = (): void => {
      aborted = true;
      control.aborted = true;
    };
    o.signal?.addEventListener('abort', stop, { once: true });
    if (o.signal?.aborted === true) stop();
    const info = await engine.start((s) => onSnap(s, stop), control);
    o.signal?.removeEventListener('abort', stop);
    for (const line of agg.flushAll()) o.onSecond?.(line, agg);
    const cpu = process.cpuUsage(cpu0);
    return { agg, startedAt, start, endedAt: new Date(), done: [info], aborted, cpuMs: { user: cpu.user / 1000, system: cpu.system / 1000 } };
  }

  const url = new URL('./worker-entry.js', import.meta.url);
  const workers = specs.map((spec) => new Worker(url, { workerData: spec, resourceLimits: { maxYoungGenerationSizeMb: ENGINE_YOUNG_GENERATION_MB } }));
  const abortAll = (): void => {
    for (const w of workers) w.postMessage({ type: 'abort' });
  };
  const ready = workers.map(
    (w, i) =>
      new Promise<void>((resolve, reject) => {
        w.once('message', (m: { type: string; message?: string }) => {
          if (m.type === 'ready') resolve();
          else reject(new WorkerFailed(`worker ${i}: ${m.message ?? m.type}`));
        });
        w.once('error', (err) => reject(new WorkerFailed(`worker ${i}: ${err.message}`)));
      }),
  );
  // While the workers load: compile the merge path, so the first seconds are not merged cold.
  warmAggregation();
  try {
    await Promise.all(ready);
  } catch (err) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw err;
  }
  // The clock starts when every worker is ready and answering now: the epoch is placed past a few
  // round trips of the slowest, so no worker learns of the start after its first arrival is due.
  const rtt = await Promise.all(workers.map((w) => pingMs(w)));
  const done = workers.map(
    (w, i) =>
      new Promise<DoneInfo>((resolve, reject) => {
        w.on('message', (m: { type: string; snap?: SecondSnapshot; info?: DoneInfo; message?: string }) => {
          if (m.type === 'second') onSnap(m.snap!, abortAll);
          else if (m.type === 'done') resolve(m.info!);
          else if (m.type === 'error') reject(new WorkerFailed(`worker ${i}: ${m.message ?? ''}`));
        });
        w.on('error', (err) => reject(new WorkerFailed(`worker ${i}: ${err.message}`)));
        w.on('exit', (code) => resolve({ worker: i, elu: 0, aborted: code !== 0, warmup: 0 }));
      }),
  );
  const onSignal = (): void => {
    aborted = true;
    abortAll();
  };
  o.signal?.addEventListener('abort', onSignal, { once: true });
  if (o.signal?.aborted === true) onSignal();
  let start: AgreedStart;
  try {
    start = await agreeEpoch(cfg, Math.max(20, 4 * Math.max(...rtt)), o.signal, Date.now, rewarmOf(() => Promise.all(workers.map(rewarmWorker))));
  } catch (err) {
    o.signal?.removeEventListener('abort', onSignal);
    await Promise.all(workers.map((w) => w.terminate()));
    throw err;
  }
  const epoch = start.epochMs;
  const startedAt = new Date(epoch);
  const cpu0 = process.cpuUsage();
  const restorePriority = lowerMainThread();
  for (const w of workers) w.postMessage({ type: 'start', epochMs: epoch });
  const infos = await Promise.all(done).finally(restorePriority);
  o.signal?.removeEventListener('abort', onSignal);
  for (const line of agg.flushAll()) o.onSecond?.(line, agg);
  const cpu = process.cpuUsage(cpu0);
  await Promise.all(workers.map((w) => w.terminate()));
  return { agg, startedAt, start, endedAt: new Date(), done: infos, aborted, cpuMs: { user: cpu.user / 1000, system: cpu.system / 1000 } };
}
