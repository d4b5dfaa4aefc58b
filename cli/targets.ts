/**
 * `--target` flags into the run's Targets (origin name -> base URL), for every command that
 * sends to a scenario's origins (run, verify, export, capacity). The rule, in DESIGN.md's words:
 *
 * - `--target URL` puts every origin the scenario declares at URL plus its base path;
 * - `--target NAME=URL`, repeated, gives origin NAME its own; it may be combined with one bare
 *   `--target URL` for the others;
 * - the 2020 pack's `--target-io/-pm/-bpd URL` are aliases of `--target io=URL` and so on.
 *
 * An origin's base path is appended when its URL has no path of its own, so `--target
 * pm=http://h:1` and `--target-pm http://h:1/pp-restapi-CD` name the same place. An unknown or
 * missing origin name is a problem that names it and lists the scenario's origins (exit 2).
 *
 * @example
 * resolveTargets({ target: ['http://127.0.0.1:8080'] }, { io: {}, pm: { basePath: '/pp-restapi-CD' } }, p);
 * // { io: 'http://127.0.0.1:8080', pm: 'http://127.0.0.1:8080/pp-restapi-CD' }
 */
import type { Origins, Targets } from '../harness/scenario/types.ts';
import type { Problems } from '../harness/config/problems.ts';

export const TARGET_FLAGS = {
  target: { type: 'string', multiple: true },
  'target-io': { type: 'string' },
  'target-pm': { type: 'string' },
  'target-bpd': { type: 'string' },
} as const;

export interface TargetValues {
  target?: string[] | undefined;
  'target-io'?: string | undefined;
  'target-pm'?: string | undefined;
  'target-bpd'?: string | undefined;
}

const URL_RE = /^https?:\/\/[^/\s]+(\/\S*)?$/;
const NAMED = /^([A-Za-z][\w.-]*)=(.*)$/;
const ALIASES = [['target-io', 'io'], ['target-pm', 'pm'], ['target-bpd', 'bpd']] as const;

/** True when any target flag was given (none: the CLI starts the embedded reference server). */
export function hasTargets(v: TargetValues): boolean {
  return (v.target?.length ?? 0) > 0 || ALIASES.some(([flag]) => v[flag] !== undefined);
}

/** One origin's base URL: the URL without trailing slashes, plus the base path if it has none. */
export function originUrl(url: string, basePath: string | undefined): string {
  const u = url.replace(/\/+$/, '');
  const hasPath = new URL(u).pathname.replace(/\/+$/, '') !== '';
  return hasPath || basePath === undefined ? u : u + basePath;
}

/** Every origin at one URL (the embedded server's, or one `--target URL`). */
export function targetsAt(url: string, origins: Origins): Targets {
  const out: Targets = {};
  for (const [name, spec] of Object.entries(origins)) out[name] = originUrl(url, spec.basePath);
  return out;
}

export function resolveTargets(v: TargetValues, origins: Origins, p: Problems): Targets | undefined {
  if (!hasTargets(v)) return undefined;
  const names = Object.keys(origins);
  const list = names.join(', ') || '(none)';
  let bare: string | undefined;
  const named = new Map<string, string>();
  const add = (flag: string, name: string, url: string): void => {
    if (!URL_RE.test(url)) return p.add(`${flag} '${url}' is not a URL: write http://HOST:PORT`);
    if (!(name in origins)) return p.add(`${flag}: the scenario has no origin '${name}'; its origins: ${list}`);
    if (named.has(name)) return p.add(`${flag}: origin '${name}' is given twice`);
    named.set(name, url);
  };
  for (const t of v.target ?? []) {
    const m = NAMED.exec(t);
    if (m !== null && !/^https?$/.test(m[1]!)) add(`--target ${m[1]}=`, m[1]!, m[2]!);
    else if (!URL_RE.test(t)) p.add(`--target '${t}' is not a URL or NAME=URL: write http://HOST:PORT or ${names[0] ?? 'NAME'}=http://HOST:PORT`);
    else if (bare !== undefined) p.add(`--target is given two URLs ('${bare}', '${t}'): give one, or NAME=URL for each origin (origins: ${list})`);
    else bare = t;
  }
  for (const [flag, name] of ALIASES) {
    const url = v[flag];
    if (url !== undefined) add(`--${flag}`, name, url);
  }
  const missing = names.filter((n) => !named.has(n));
  if (bare === undefined && missing.length > 0 && named.size > 0) {
    p.add(`--target: no URL for origin${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: give --target ${missing[0]}=URL, or one --target URL for all (origins: ${list})`);
  }
  if (p.list.length > 0) return undefined;
  const out: Targets = {};
  for (const [name, spec] of Object.entries(origins)) {
    const url = named.get(name) ?? bare!;
    out[name] = originUrl(url, spec.basePath);
  }
  return out;
}
