/**
 * `picco run --url URL` (an ad hoc run of one request template): --url, --method, --header,
 * --body FILE, and the arrival rate as --rate R with --duration D, or --stages D:R,... (k6's
 * duration:target) ramping from --rate. These flags only apply with --url: saying so is exit 2.
 *
 * @example
 * const u = parseUrlFlags(f, true, p); const source = urlSource(u, 30, 'uniform');
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseDuration, type Problems } from '../harness/config/problems.ts';
import type { ExecutorConfig, Stage } from '../harness/scenario/types.ts';
import type { UrlSource } from '../harness/runner/run-config.ts';

export const URL_FLAGS = {
  url: { type: 'string' },
  method: { type: 'string' },
  body: { type: 'string' },
  header: { type: 'string', multiple: true },
  rate: { type: 'string' },
  stages: { type: 'string' },
} as const;

export interface UrlFlagValues {
  url?: string | undefined;
  method?: string | undefined;
  body?: string | undefined;
  header?: string[] | undefined;
  rate?: string | undefined;
  stages?: string | undefined;
  duration?: string | undefined;
}

export interface UrlFlags {
  url?: string;
  method: string;
  headers: Record<string, string>;
  body?: Buffer;
  rate?: number;
  stages?: Stage[];
}

const httpUrl = z.url({ protocol: /^https?$/ });
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

/**
 * `--stages 30s:1000,1m:1000,30s:0` (k6's duration:target): a ramping arrival rate for `--url`
 * runs, starting from `--rate` (default 0). Undefined when malformed.
 */
export function parseStages(text: string): Stage[] | undefined {
  const out: Stage[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*([^:]+):\s*(\d+(?:\.\d+)?)\s*$/.exec(part);
    if (m === null) return undefined;
    const d = parseDuration(m[1]!.trim());
    if (d === undefined || d <= 0) return undefined;
    out.push({ durationS: d, target: Number(m[2]) });
  }
  return out.length > 0 ? out : undefined;
}

export function parseUrlFlags(f: UrlFlagValues, adHoc: boolean, p: Problems): UrlFlags {
  const out: UrlFlags = { method: (f.method ?? 'GET').toUpperCase(), headers: {} };
  if (!adHoc) {
    for (const flag of ['rate', 'method', 'body', 'header', 'stages'] as const) if (f[flag] !== undefined) p.add(`--${flag} only applies with --url`);
    return out;
  }
  if (f.url !== undefined && !httpUrl.safeParse(f.url).success) p.add(`--url '${f.url}' is not an http(s) URL: write e.g. http://127.0.0.1:8080`);
  else if (f.url !== undefined) out.url = f.url;
  const rate = p.number('--rate', f.rate, { min: 0 });
  if (rate !== undefined) out.rate = rate;
  if (f.stages !== undefined) {
    const stages = parseStages(f.stages);
    if (stages === undefined) p.add(`--stages '${f.stages}' must read DURATION:RATE,... (e.g. 30s:1000,1m:1000,30s:0)`);
    else out.stages = stages;
    if (f.duration !== undefined) p.add('give either --stages or --duration with --url, not both');
  } else {
    if (f.rate === undefined) p.add('--url needs --rate R (arrivals per second) or --stages');
    if (f.duration === undefined) p.add('--url needs --duration D (e.g. 30s)');
  }
  if (!METHODS.includes(out.method)) p.add(`--method '${f.method}' is not an HTTP method`);
  for (const h of f.header ?? []) {
    const i = h.indexOf(':');
    if (i <= 0) p.add(`--header '${h}' must read 'Name: value'`);
    else out.headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
  }
  if (f.body !== undefined) {
    try {
      out.body = readFileSync(f.body);
    } catch {
      p.add(`--body file '${f.body}' cannot be read`);
    }
  }
  return out;
}

/** The run's source once every flag checked out: a ramp with --stages, else a constant rate. */
export function urlSource(u: UrlFlags, durationS: number | undefined, arrivals: 'uniform' | 'poisson'): UrlSource {
  const executor: ExecutorConfig = u.stages !== undefined
    ? { type: 'ramping-arrival-rate', startRate: u.rate ?? 0, stages: u.stages, arrivals }
    : { type: 'constant-arrival-rate', rate: u.rate!, durationS: durationS!, arrivals };
  return { kind: 'url', url: u.url!, method: u.method, headers: u.headers, executor, ...(u.body !== undefined ? { body: new Uint8Array(u.body) } : {}) };
}
