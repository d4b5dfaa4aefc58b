/**
 * The contract between a scenario pack (what users do) and the engine (who sends it); the public
 * half of it is exported as `picco/scenario` (harness/scenario/index.ts).
 *
 * A scenario is pure planning: `build(options)` returns arrival streams, each an executor
 * config (intended start times) plus the journey every arrival walks, and the figures the
 * scenario predicts (`expected`), so `picco plan` can print them without a socket.
 *
 * A journey is written as an async function over a `JourneyClient`. The engine owns time:
 * the first request of a journey is stamped with the arrival's intended start time, every later
 * request with (previous completion + think time), so latency is always measured from the
 * intended start (no coordinated omission) and a slow server never slows the arrivals.
 *
 * @example
 * const addCard: Journey = {
 *   name: 'add-card',
 *   async run(c, citizen) {
 *     const r = await c.request({ origin: 'pm', method: 'POST', path: '/v1/wallet/cc',
 *       endpoint: 'POST /v1/wallet/cc', body: JSON.stringify(...), expect: [200, 201, 422] });
 *     c.check('card added', r.status === 200);
 *   },
 * };
 */

/**
 * A named place a scenario sends requests to (an API, a host), with an optional base path that
 * every request path of that origin is relative to. `--target URL` puts every origin at URL plus
 * its base path; `--target NAME=URL` gives one origin its own.
 */
export interface OriginSpec {
  /** Prefix of every request path on this origin, e.g. '/pp-restapi-CD'. Default: none. */
  basePath?: string;
}

/** The origins a scenario declares, by name. */
export type Origins = Record<string, OriginSpec>;

/** Where each origin lives for one run: origin name -> base URL (scheme, host, port, base path). */
export type Targets = Record<string, string>;

export type FailureKind =
  | 'connect_refused'
  | 'connect_timeout'
  | 'timeout'
  | 'reset'
  | 'other'
  | 'unknown_origin'
  | 'unexpected_status';

export interface RequestSpec {
  /** The origin (declared by the scenario) this request goes to. */
  origin: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path relative to the origin's base path. May contain a query. */
  path: string;
  /** The label the request is reported under: the route pattern, never the raw path. */
  endpoint: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Statuses that count as ok for this step of the journey. Default: 2xx. */
  expect?: readonly number[];
  /** Per-request timeout in ms; the app's PM timeout is 16,000 ms. */
  timeoutMs?: number;
}

export interface ResponseResult {
  /** HTTP status, or 0 when the request failed at the transport level. */
  status: number;
  /** Parsed JSON body when the response was JSON, else undefined. */
  json: unknown;
  failure?: FailureKind;
  /** The Location header of a 3xx response (the 3DS checkout redirects), when present. */
  location?: string;
  ok: boolean;
  latencyMs: number;
  serviceMs: number;
}

export interface JourneyClient {
  request(spec: RequestSpec): Promise<ResponseResult>;
  /** Think time or backoff. The next request's intended start is now + ms. */
  sleep(ms: number): Promise<void>;
  /** A named check (k6's `check`): counted pass/fail in summary.json. */
  check(name: string, ok: boolean): void;
  /** Count a business outcome (e.g. 'card_added', 'card_422_on_readd'); reported in summary.json. */
  count(outcome: string, n?: number): void;
  /** Seeded random in [0, 1), deterministic per arrival. */
  random(): number;
}

export interface Journey<P = unknown> {
  name: string;
  run(client: JourneyClient, arrival: Arrival, params: P): Promise<void>;
}

export interface Arrival {
  /** Global index of the arrival within its stream (same across --segment splits). */
  index: number;
  /** Citizen index in the population (0 .. population-1), deterministic from the stream. */
  citizen: number;
  /** Intended start time, ms since the run's start. */
  intendedMs: number;
}

/** One stage of a ramping executor: reach `target` (per second, or VUs) linearly over `durationS`. */
export interface Stage {
  durationS: number;
  target: number;
}

export type ExecutorConfig =
  | { type: 'constant-arrival-rate'; rate: number; durationS: number; arrivals?: 'uniform' | 'poisson' }
  | { type: 'ramping-arrival-rate'; startRate: number; stages: Stage[]; arrivals?: 'uniform' | 'poisson' }
  | { type: 'constant-vus'; vus: number; durationS: number }
  | { type: 'ramping-vus'; startVus: number; stages: Stage[] };

export interface Stream<P = unknown> {
  name: string;
  journey: Journey<P>;
  params: P;
  executor: ExecutorConfig;
  /** Offset of the stream's start from the run's start, seconds (after --speed). */
  startS?: number;
  /** Maps an arrival index to a citizen index; default identity modulo population. */
  citizenOf?: (arrivalIndex: number) => number;
}

export interface ScenarioOptions {
  scale: number;
  speed: number;
  /** Cut the run to this many seconds (after --speed). */
  durationS?: number;
  seed: number;
  /** `--client NAME`: one of the scenario's `clients` (how the modelled app behaves); absent = its default. */
  client?: string;
  /**
   * `--closed VUS`: the same journeys as a closed loop of VUS virtual users (a scenario with
   * `closedLoop: true` only): no think-time compression, none of the users' retries.
   */
  closedVus?: number;
  /**
   * The most arrivals per second a scenario's setup phase (e.g. preloading state) may send; the
   * CLI sets it for a target of known, limited capacity so the setup is not a surge of its own.
   */
  setupRate?: number;
  /**
   * The caller runs the streams and reads nothing else of the plan (a k6 VU of an exported
   * script: it builds the plan in its own runtime, and k6 runs the schedule): a scenario may skip
   * what only a report or `picco plan` reads (its `expected` figures, notes), so each VU pays for
   * its streams alone. Streams, executors and citizens must be the same either way.
   */
  streamsOnly?: boolean;
}

export interface ScenarioPlan {
  scenario: string;
  durationS: number;
  streams: Stream[];
  /** Figures the scenario predicts (name → value), e.g. 'card_additions_total'. */
  expected: Record<string, number>;
  /** Default SLO lines (threshold grammar) when no --slo file is given. */
  slo?: string[];
  /** Human notes shown by `picco plan`. */
  notes?: string[];
}

export interface Scenario {
  name: string;
  description: string;
  /** The origins its journeys send to; each request names one. */
  origins: Origins;
  /**
   * The rehearsal `picco run NAME` / `picco plan NAME` make when --scale / --speed are not given
   * (a laptop-sized run of a few minutes). Absent: scale 1, speed 1 (real size, real time).
   */
  defaults?: { scale?: number; speed?: number };
  /** Client profiles `--client` accepts, the default first; absent: the flag is refused. */
  clients?: readonly string[];
  /** Whether `--closed VUS` can turn its journeys into a closed loop. */
  closedLoop?: boolean;
  build(options: ScenarioOptions): ScenarioPlan;
}
