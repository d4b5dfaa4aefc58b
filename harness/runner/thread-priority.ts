/**
 * The scheduling priority of the engine's threads, on Linux, where a nice value belongs to one
 * thread. A load thread must read a response as soon as it is readable: each millisecond it sits
 * runnable while another thread of the process has the core is counted as the generator's delay
 * (loop-watch.ts). The others can wait: the main thread merges the workers' seconds, writes
 * progress, the series file and Prometheus in bursts of 5-10 ms at each second's boundary, and
 * V8's helper threads mark and compile in the background. At the 7 Dec peak on one engine core
 * the load thread waited 50-190 ms a second for the core in its busiest seconds, over 600-1,100
 * wake-ups, while it used about 40 % of it (docs/benchmarks.md, eighth round).
 *
 * So the main thread steps down to nice 10 for the run (always allowed), and each load thread
 * asks for nice -5 (allowed with CAP_SYS_NICE, e.g. as root; elsewhere it stays at 0 and the
 * run goes on). Both only order the engine's own threads and its neighbours on the engine's
 * core; the target is elsewhere.
 *
 * @example
 * const restore = lowerMainThread(); try { await run(); } finally { restore(); }
 */
import { getPriority, setPriority } from 'node:os';
import { isMainThread } from 'node:worker_threads';

/** The main thread's nice value while the load workers run. */
export const MAIN_THREAD_NICE = 10;
/** What a load thread asks for; refused without the privilege. */
export const LOAD_THREAD_NICE = -5;

const perThread = process.platform === 'linux';

/** Lowers the calling main thread's priority for the run; returns what restores it (best effort). */
export function lowerMainThread(): () => void {
  if (!perThread || !isMainThread) return () => {};
  let before: number;
  try {
    before = getPriority(0);
    if (before >= MAIN_THREAD_NICE) return () => {};
    setPriority(0, MAIN_THREAD_NICE);
  } catch {
    return () => {};
  }
  return () => {
    try {
      setPriority(0, before);
    } catch {
      // going back up may need the privilege too; the run is over either way
    }
  };
}

/** The calling thread's nice value (Linux; undefined elsewhere). */
export function threadNice(): number | undefined {
  if (!perThread) return undefined;
  try {
    return getPriority(0);
  } catch {
    return undefined;
  }
}

/** Raises the calling load thread's priority where allowed; returns whether it did. */
export function raiseLoadThread(): boolean {
  if (!perThread || isMainThread) return false;
  try {
    if (getPriority(0) <= LOAD_THREAD_NICE) return true;
    setPriority(0, LOAD_THREAD_NICE);
    return true;
  } catch {
    return false;
  }
}
