/**
 * The scenario registry the engine loads by name (`picco run NAME`, `picco plan NAME`).
 *
 * @example
 * getScenario('smoke')?.build({ scale: 1, speed: 1, seed: 1 });
 */
import type { Scenario } from '../harness/scenario/types.ts';
import { smoke } from './smoke.ts';

const registry = new Map<string, Scenario>([[smoke.name, smoke]]);

export function getScenario(name: string): Scenario | undefined {
  return registry.get(name);
}

export function scenarioNames(): string[] {
  return [...registry.keys()];
}
