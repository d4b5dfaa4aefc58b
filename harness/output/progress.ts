/**
 * The live progress line on stderr: elapsed, target vs achieved rate, p99, errors, dropped, and
 * the generator's own delay (per request p99; the busiest engine thread's event-loop delay p99
 * and utilisation), so a run that measures itself is seen while it runs.
 * Only when stderr is a TTY and neither --quiet nor CI is set; otherwise a no-op, so logs and
 * CI output stay clean.
 *
 * @example
 * const p = progress({ quiet, durationS, targetRate }); p.update(line); p.done();
 */
import type { SeriesLine } from '../metrics/aggregate.ts';

export interface Progress {
  update(line: SeriesLine): void;
  done(): void;
}

/** `  gen p99 1.2 ms  loop p99 0.4 ms  busy 38 %` (worst engine thread), or '' when not measured. */
export function generatorText(l: SeriesLine): string {
  const g = l.generator;
  if (g === undefined) return '';
  let eld = 0;
  let elu = 0;
  for (const th of g.threads) {
    eld = Math.max(eld, th.eventLoopDelayMs.p99);
    elu = Math.max(elu, th.utilisation);
  }
  return `  gen p99 ${g.delayMs.p99} ms  loop p99 ${eld} ms  busy ${Math.round(elu * 100)} %`;
}

export function progress(o: { quiet: boolean; durationS: number }): Progress {
  const on = process.stderr.isTTY === true && !o.quiet && !process.env.CI;
  if (!on) return { update() {}, done() {} };
  let errors = 0;
  let dropped = 0;
  return {
    update(l) {
      errors += l.failed;
      dropped += l.dropped;
      const text = `  ${l.t + 1}/${Math.ceil(o.durationS)}s  rate ${l.intended}/s → ${l.started}/s  p99 ${l.latencyMs.p99} ms  in-flight ${l.inFlight}  errors ${errors}  dropped ${dropped}  lag p99 ${l.lagMs} ms${generatorText(l)}`;
      process.stderr.write(`\r\x1b[K${text}`);
    },
    done() {
      process.stderr.write('\r\x1b[K');
    },
  };
}
