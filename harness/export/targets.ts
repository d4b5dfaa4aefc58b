/**
 * `--target URL` or `--target-io/-pm/-bpd URL` into Targets, shared by `verify` and `export`.
 * One origin serves the three APIs at their real paths (pm under /pp-restapi-CD); three flags
 * name three origins. Problems are added to the command's list, each naming its flag.
 *
 * @example
 * targetsFrom({ target: 'http://127.0.0.1:8080' }, problems); // { io, pm: '.../pp-restapi-CD', bpd }
 */
import type { Problems } from '../cli/usage.ts';
import type { Targets } from '../scenario/types.ts';

const URL_RE = /^https?:\/\/[^/\s]+(\/\S*)?$/;

export function targetsFrom(
  v: { target?: string | undefined; 'target-io'?: string | undefined; 'target-pm'?: string | undefined; 'target-bpd'?: string | undefined },
  problems: Problems,
  fallback?: string,
): Targets | undefined {
  const three = [v['target-io'], v['target-pm'], v['target-bpd']];
  for (const [flag, val] of [['--target', v.target], ['--target-io', v['target-io']], ['--target-pm', v['target-pm']], ['--target-bpd', v['target-bpd']]] as const) {
    if (val !== undefined && !URL_RE.test(val)) problems.add(`${flag} '${val}' is not a URL: write http://HOST:PORT`);
  }
  if (v.target !== undefined && three.some((x) => x !== undefined)) {
    problems.add('--target and --target-io/-pm/-bpd exclude each other: give one origin, or all three');
    return undefined;
  }
  if (three.some((x) => x !== undefined)) {
    if (three.some((x) => x === undefined)) {
      problems.add('--target-io, --target-pm and --target-bpd go together: give all three');
      return undefined;
    }
    return { io: strip(three[0]!), pm: strip(three[1]!), bpd: strip(three[2]!) };
  }
  const base = v.target ?? fallback;
  if (base === undefined) return undefined;
  const b = strip(base);
  return { io: b, pm: `${b}/pp-restapi-CD`, bpd: b };
}

function strip(url: string): string {
  return url.replace(/\/+$/, '');
}
