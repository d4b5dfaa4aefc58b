/**
 * The flags every scenario command shares (run, plan, export): --scale, --speed, --duration,
 * --seed and --segment, in one table and one parser, so a flag means and checks the same
 * wherever it is written. Scale and speed stay undefined when not given: the scenario's own
 * rehearsal defaults apply then (harness/scenario/defaults.ts).
 *
 * @example
 * const o = scenarioFlags(values, problems); // { scale?: 0.01, speed?: 60, durationS?: 30, seed: 1, segment }
 */
import { parseSegment, WHOLE, type Segment } from '../harness/executors/segment.ts';
import type { Problems } from '../harness/config/problems.ts';

export const SCENARIO_FLAGS = {
  scale: { type: 'string' },
  speed: { type: 'string' },
  duration: { type: 'string' },
  seed: { type: 'string' },
  segment: { type: 'string' },
} as const;

export interface ScenarioFlagValues {
  scale?: string | undefined;
  speed?: string | undefined;
  duration?: string | undefined;
  seed?: string | undefined;
  segment?: string | undefined;
}

export interface ScenarioFlags {
  scale?: number;
  speed?: number;
  durationS?: number;
  seed: number;
  segment: Segment;
}

export function scenarioFlags(f: ScenarioFlagValues, p: Problems): ScenarioFlags {
  const out: ScenarioFlags = { seed: p.number('--seed', f.seed, { integer: true, min: 0 }) ?? 1, segment: WHOLE };
  const scale = p.number('--scale', f.scale, { min: 0 });
  const speed = p.number('--speed', f.speed, { min: 0 });
  if (scale === 0) p.add("--scale '0' sends nothing: give a positive factor such as 0.01");
  else if (scale !== undefined) out.scale = scale;
  if (speed === 0) p.add("--speed '0' never ends: give a positive factor such as 60");
  else if (speed !== undefined) out.speed = speed;
  const durationS = p.duration('--duration', f.duration);
  if (durationS !== undefined) out.durationS = durationS;
  if (f.segment !== undefined) {
    const s = parseSegment(f.segment);
    if (s === undefined) p.add(`--segment '${f.segment}' is not K/N with 1 <= K <= N (e.g. 2/4)`);
    else out.segment = s;
  }
  return out;
}
