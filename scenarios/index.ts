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

/**
 * The module (relative to this file) and export defining each registered scenario, so a bundle
 * (`picco export k6`) takes that module and what it imports, not the whole pack: a card-peak
 * script carries no launch model. `december-2020@<start>` names are served by the pack itself.
 */
const SOURCES: Record<string, { file: string; exportName: string }> = {
  smoke: { file: 'smoke.ts', exportName: 'smoke' },
  'december-2020': { file: 'december-2020.ts', exportName: 'december2020' },
  'update-reenroll': { file: 'update-reenroll.ts', exportName: 'updateReenroll' },
  'card-peak': { file: 'card-peak.ts', exportName: 'cardPeak' },
  'card-peak-full': { file: 'card-peak.ts', exportName: 'cardPeakFull' },
};

export function scenarioSource(name: string): { file: string; exportName: string } | undefined {
  return SOURCES[name];
}
