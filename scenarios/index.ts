/**
 * The scenario registry the engine loads by name (`picco run NAME`, `picco plan NAME`).
 * `december-2020@<start>` (e.g. `december-2020@7dec18:00`) is the launch from that instant.
 *
 * @example
 * getScenario('smoke')?.build({ scale: 1, speed: 1, seed: 1 });
 */
import type { Scenario } from '../harness/scenario/types.ts';
import { cardPeak, cardPeakFull } from './card-peak.ts';
import { december2020, december2020From } from './december-2020.ts';
import { smoke } from './smoke.ts';
import { updateReenroll } from './update-reenroll.ts';

const registry = new Map<string, Scenario>(
  [smoke, december2020, updateReenroll, cardPeak, cardPeakFull].map((s) => [s.name, s]),
);

export function getScenario(name: string): Scenario | undefined {
  return registry.get(name) ?? december2020From(name);
}

export function scenarioNames(): string[] {
  return [...registry.keys()];
}
