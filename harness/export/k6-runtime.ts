/**
 * picco's JourneyClient on top of k6's modules: the code that runs inside an exported k6 script.
 * `picco export k6` bundles this file with the scenario, so a k6 VU walks the very journeys
 * picco walks (same requests, same checks, same outcomes), not a hand-translated copy that
 * drifts. The trade-off: k6's `http.request` blocks its VU, so a journey's awaits resolve
 * immediately and k6's arrival-rate executor needs enough VUs (preAllocatedVUs / maxVUs) to
 * cover every journey in flight; and k6 measures latency from the send (its `http_req_duration`
 * is picco's service time), because k6 starts an iteration late when it runs out of VUs and
 * reports that as `dropped_iterations` instead.
 *
 * @example
 * export function stream_0() { return runArrival(plan.streams[0], 0, seed, targetsFromEnv(origins, defaults)); }
 */
import http from 'k6/http';
import { check, sleep } from 'k6';
import exec from 'k6/execution';
import { Counter } from 'k6/metrics';
import type { FailureKind, JourneyClient, Origins, RequestSpec, ResponseResult, Stream, Targets } from '../scenario/types.ts';
import { mulberry32, seedOf, type Random } from '../executors/random.ts';

/** Business outcomes counted by journeys (`c.count`), tagged `outcome`. */
const outcomes = new Counter('picco_outcomes');
/** Journeys finished, tagged `stream` and `result` (done / error). */
const journeys = new Counter('picco_journeys');

/**
 * Targets from the environment, else the export's defaults: `k6 -e PICCO_TARGET=URL` puts every
 * origin at URL (plus its base path), `-e PICCO_TARGET_<ORIGIN>=URL` (e.g. PICCO_TARGET_PM) gives
 * one origin its own, as `--target` and `--target NAME=URL` do for `picco run`.
 */
export function targetsFromEnv(origins: Origins, defaults: Targets): Targets {
  const base = __ENV['PICCO_TARGET'];
  const out: Targets = {};
  for (const [name, spec] of Object.entries(origins)) {
    const own = __ENV[`PICCO_TARGET_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`];
    const url = own !== undefined && own !== '' ? own : base !== undefined && base !== '' ? base : undefined;
    out[name] = url === undefined ? (defaults[name] ?? '') : withBase(url, spec.basePath);
  }
  return out;
}

function withBase(url: string, basePath: string | undefined): string {
  const u = url.replace(/\/+$/, '');
  return /^https?:\/\/[^/]+$/.test(u) && basePath !== undefined ? u + basePath : u;
}

const callbacks = new Map<string, ReturnType<typeof http.expectedStatuses>>();
function expectedCallback(expect: readonly number[]) {
  const key = expect.join(',');
  let cb = callbacks.get(key);
  if (cb === undefined) {
    cb = http.expectedStatuses(...expect);
    callbacks.set(key, cb);
  }
  return cb;
}

function failureOf(errorCode: number): FailureKind {
  if (errorCode === 1050) return 'timeout';
  if (errorCode === 1212 || errorCode === 1210) return 'connect_refused';
  if (errorCode === 1211 || errorCode === 1213) return 'connect_timeout';
  if (errorCode >= 1100 && errorCode < 1200) return 'reset';
  return 'other';
}

class K6Client implements JourneyClient {
  constructor(
    private readonly targets: Targets,
    readonly random: Random,
  ) {}

  request(spec: RequestSpec): Promise<ResponseResult> {
    const expect = spec.expect ?? [200, 201, 202, 203, 204, 205, 206];
    const res = http.request(spec.method, this.targets[spec.origin] + spec.path, spec.body === undefined ? null : String(spec.body), {
      headers: spec.headers ?? {},
      timeout: `${spec.timeoutMs ?? 16_000}ms`,
      tags: { name: spec.endpoint, endpoint: spec.endpoint },
      responseCallback: expectedCallback(expect),
    });
    let json: unknown;
    const type = res.headers['Content-Type'] ?? res.headers['content-type'] ?? '';
    if (type.includes('json') && typeof res.body === 'string' && res.body !== '') {
      try {
        json = JSON.parse(res.body);
      } catch {
        json = undefined;
      }
    }
    const ok = res.status !== 0 && expect.includes(res.status);
    const result: ResponseResult = { status: res.status, json, ok, latencyMs: res.timings.duration, serviceMs: res.timings.duration };
    if (res.status === 0) result.failure = failureOf(res.error_code);
    else if (!ok) result.failure = 'unexpected_status';
    return Promise.resolve(result);
  }

  sleep(ms: number): Promise<void> {
    sleep(ms / 1000);
    return Promise.resolve();
  }

  check(name: string, ok: boolean): void {
    check(ok, { [name]: (v) => v === true });
  }

  count(outcome: string, n = 1): void {
    outcomes.add(n, { outcome });
  }
}

/** Runs one arrival of `stream` (this k6 iteration) through its journey. */
export async function runArrival(stream: Stream, streamIndex: number, seed: number, targets: Targets): Promise<void> {
  const index = exec.scenario.iterationInTest;
  const arrival = {
    index,
    citizen: stream.citizenOf !== undefined ? stream.citizenOf(index) : index,
    intendedMs: Date.now() - exec.scenario.startTime,
  };
  const client = new K6Client(targets, mulberry32(seedOf(seed, streamIndex, index)));
  try {
    await stream.journey.run(client, arrival, stream.params);
    journeys.add(1, { stream: stream.name, result: 'done' });
  } catch (err) {
    journeys.add(1, { stream: stream.name, result: 'error' });
    throw err;
  }
}
