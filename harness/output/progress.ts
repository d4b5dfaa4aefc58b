/**
 * The live progress line on stderr: elapsed, target vs achieved rate, p99, errors, dropped.
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

export function progress(o: { quiet: boolean; durationS: number }): Progress {
  const on = process.stderr.isTTY === true && !o.quiet && !process.env.CI;
  if (!on) return { update() {}, done() {} };
  let errors = 0;
  let dropped = 0;
  return {
    update(l) {
      errors += l.failed;
      dropped += l.dropped;
      const text = `  ${l.t + 1}/${Math.ceil(o.durationS)}s  rate ${l.intended}/s → ${l.started}/s  p99 ${l.latencyMs.p99} ms  in-flight ${l.inFlight}  errors ${errors}  dropped ${dropped}  lag p99 ${l.lagMs} ms`;
      process.stderr.write(`\r\x1b[K${text}`);
    },
    done() {
      process.stderr.write('\r\x1b[K');
    },
  };
}
