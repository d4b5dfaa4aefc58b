/**
 * The instant the engines get as t = 0. Without `--start-at`: as soon as every worker is ready,
 * plus a short lead so the start message reaches them first. With it: the given wall-clock
 * instant, the same for every segment of a distributed run. A process that is ready early
 * waits (its engines prepared, connections open), and the late check comes after everything
 * that takes time (scenario build, workers, warm-up): a segment that reaches the instant later
 * than the lag bound refuses to start (exit 2, `PICCO_ERR_LATE_START`) instead of releasing its
 * stripe late, which would shift its share of every second and fake the peak.
 *
 * @example
 * const { epochMs } = await agreeEpoch(cfg, 50); // throws LateStart when past the bound
 */
import { PiccoError } from '../errors.ts';
import { lateByMs, lateProblem } from './start-at.ts';

export interface StartInstant {
  epochMs: number;
  /** As given (`2026-12-08T09:00:00Z`, `+30s`), for messages and summary.json. */
  text: string;
}

export class LateStart extends PiccoError {
  constructor(readonly lateMs: number, message: string) {
    super('PICCO_ERR_LATE_START', message);
  }
}

export interface AgreedStart {
  epochMs: number;
  mode: 'start-at' | 'ready';
  /** How long this process waited for the instant once ready, ms (0 without --start-at). */
  waitedMs: number;
}

const sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((resolve) => {
  if (ms <= 0 || signal?.aborted === true) return resolve();
  const t = setTimeout(done, ms);
  function done(): void {
    clearTimeout(t);
    signal?.removeEventListener('abort', done);
    resolve();
  }
  signal?.addEventListener('abort', done, { once: true });
});

/** Work to do shortly before a start instant that was waited for (re-warming idle connections). */
export interface BeforeStart {
  /** How long before the instant to begin it, ms (more than it may take). */
  msBefore: number;
  run(): Promise<void>;
}

/**
 * Resolves when the engines should be told to start, with the epoch to give them. `leadMs` is
 * how far ahead of t = 0 the start message goes out (the engines sleep the rest themselves).
 * With `before`, a wait longer than `before.msBefore` is cut there to run it, and the late check
 * is made again after it (it must not make the segment late).
 */
export async function agreeEpoch(o: { startAt?: StartInstant; maxLagP99Ms: number }, leadMs: number, signal?: AbortSignal, clock: () => number = Date.now, before?: BeforeStart): Promise<AgreedStart> {
  if (o.startAt === undefined) return { epochMs: clock() + leadMs, mode: 'ready', waitedMs: 0 };
  const at = o.startAt;
  const check = (): number => {
    const late = lateByMs(at.epochMs, clock());
    if (late > o.maxLagP99Ms) throw new LateStart(late, lateProblem(at.text, late, o.maxLagP99Ms));
    return late;
  };
  const late = check();
  const waitedMs = Math.max(0, -late - leadMs);
  if (before !== undefined && -late > before.msBefore + leadMs) {
    await sleep(-late - before.msBefore, signal);
    await before.run();
    await sleep(-check() - leadMs, signal);
  } else {
    await sleep(waitedMs, signal);
  }
  return { epochMs: at.epochMs, mode: 'start-at', waitedMs };
}
