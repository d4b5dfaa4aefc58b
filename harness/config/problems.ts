/**
 * Problems found in a run's configuration, collected so every one is reported at once (k6's
 * habit), each naming the flag or file and how to fix it; `throwIfAny` makes them one
 * UsageError (exit 2). Shared by the CLI's flag parsing and the engine's config checks.
 *
 * @example
 * const p = new Problems(); const rate = p.number('--rate', '-5', { min: 0 }); p.throwIfAny();
 */
import { UsageError } from '../errors.ts';

/** Parses `30s`, `5m`, `1h`, `1h30m`, `250ms` or a bare number of seconds into seconds. */
export function parseDuration(text: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const n = Number(m[1]);
    const unit = m[2];
    total += unit === 'ms' ? n / 1000 : unit === 's' ? n : unit === 'm' ? n * 60 : unit === 'h' ? n * 3600 : n * 86400;
    matched = re.lastIndex;
  }
  return matched === text.length && matched > 0 ? total : undefined;
}

/** Collects problems so a command can report all of them at once. */
export class Problems {
  readonly list: string[] = [];
  add(problem: string): void {
    this.list.push(problem);
  }
  number(flag: string, value: string | undefined, opts: { min?: number; max?: number; integer?: boolean } = {}): number | undefined {
    if (value === undefined) return undefined;
    const n = Number(value);
    const bad =
      value.trim() === '' || !Number.isFinite(n) || (opts.integer === true && !Number.isInteger(n)) ||
      (opts.min !== undefined && n < opts.min) || (opts.max !== undefined && n > opts.max);
    if (bad) {
      const range = [opts.min !== undefined ? `>= ${opts.min}` : '', opts.max !== undefined ? `<= ${opts.max}` : ''].filter(Boolean).join(' and ');
      this.add(`${flag} '${value}' is not ${opts.integer === true ? 'an integer' : 'a number'}${range ? ` ${range}` : ''}`);
      return undefined;
    }
    return n;
  }
  duration(flag: string, value: string | undefined): number | undefined {
    if (value === undefined) return undefined;
    const s = parseDuration(value);
    if (s === undefined || s <= 0) {
      this.add(`${flag} '${value}' is not a duration: write 30s, 5m, 1h or 1h30m`);
      return undefined;
    }
    return s;
  }
  throwIfAny(): void {
    if (this.list.length > 0) throw new UsageError(this.list);
  }
}
