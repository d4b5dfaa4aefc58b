/**
 * december-2020: the IO cashback launch, 1-11 Dec 2020, calibrated to the published figures
 * (calibration.json): the download ramp of 1-5 Dec, the 7 Dec mandatory update with its
 * re-enrollment surge and "riprova" presses (card-loading requests peaking at 6,000/s then
 * 8,000/s, 5.1 M in the day), 8 Dec's 233 M operations peaking at 14,000/s, 3.5 M citizens and
 * 6.2 M instruments enrolled by 11 Dec.
 *
 * `--scale F` multiplies citizens and rates, `--speed F` compresses launch time, `--duration D`
 * cuts the run after D seconds (run time). A start offset is part of the name:
 * `december-2020@7dec` starts at 7 Dec 00:00, `december-2020@7dec18:00` at 18:00, and
 * `december-2020@+3600` one launch hour in. Wallets that existed before the window are
 * preloaded first, so re-adds still meet 422 as they did.
 *
 * @example
 * picco plan december-2020 --json
 * picco run december-2020@7dec18:00 --scale 0.01 --speed 10 --duration 6m
 */
import { ORIGINS_2020 } from './origins.ts';
import { CLIENT_NAMES } from './journeys/client-profile.ts';
import type { Scenario, ScenarioOptions, ScenarioPlan } from '../harness/scenario/types.ts';
import { buildLaunch } from './launch/build.ts';
import { DAY } from './launch/model.ts';

/** Launch seconds for '7dec', '7dec18:30', '+3600'; undefined when it does not parse. */
export function parseLaunchStart(spec: string): number | undefined {
  const plus = /^\+(\d+(?:\.\d+)?)$/.exec(spec);
  if (plus) return Number(plus[1]);
  const m = /^(\d{1,2})dec(?:(\d{1,2}):(\d{2}))?$/i.exec(spec);
  if (!m) return undefined;
  const day = Number(m[1]);
  const hh = Number(m[2] ?? 0);
  const mm = Number(m[3] ?? 0);
  if (day < 1 || day > 11 || hh > 23 || mm > 59) return undefined;
  return (day - 1) * DAY + hh * 3600 + mm * 60;
}

/**
 * The launch-day objectives a run is judged by when no --slo file is given: the same as
 * reports/slo/launch.yaml and dashboards/rules/slo.yml (card additions p99 under 1 s, the wallet
 * list p95 under 500 ms, under 1 % failed or dropped, checks above 99 %).
 */
export const LAUNCH_SLOS = [
  'http_req_duration{endpoint:POST /v1/wallet/cc}: p(99)<1000',
  'http_req_duration{endpoint:GET /v2/wallet}: p(95)<500',
  'http_req_failed: rate<1%',
  'dropped_iterations: rate<1%',
  'checks: rate>99%',
] as const;

export function launchScenario(name: string, from: number, length?: number, description?: string): Scenario {
  return {
    name,
    origins: ORIGINS_2020,
    description: description ?? 'The IO cashback launch, 1-11 Dec 2020, calibrated to the published figures',
    clients: CLIENT_NAMES,
    closedLoop: true,
    build(o: ScenarioOptions): ScenarioPlan {
      return { ...buildLaunch(o, length === undefined ? { name, from } : { name, from, length }), slo: [...LAUNCH_SLOS] };
    },
  };
}

/**
 * The laptop rehearsal `picco run december-2020` makes with no flags: the whole launch, 1-11 Dec,
 * one launch hour per second (about 4.5 minutes) with 650 citizens at peak (scale 0.0001). The
 * 7 Dec riprova bursts still reach ~5,000 requests/s for a second; 8 Dec's day still dwarfs 1-5 Dec.
 */
export const REHEARSAL = { scale: 0.0001, speed: 3600 } as const;

export const december2020: Scenario = { ...launchScenario('december-2020', 0), defaults: REHEARSAL };

/** `december-2020@<start>` → the launch from that instant; undefined if the suffix is not a start. */
export function december2020From(name: string): Scenario | undefined {
  const at = name.indexOf('@');
  if (at < 0 || name.slice(0, at) !== 'december-2020') return undefined;
  const from = parseLaunchStart(name.slice(at + 1));
  return from === undefined ? undefined : { ...launchScenario(name, from), defaults: REHEARSAL };
}
