/**
 * A SCENARIO argument into the scenario and the reference its workers import: a path to a
 * .ts/.js file exporting a default Scenario (a planner's own), or a name of the December 2020
 * pack (scenarios/index.ts, which also answers `december-2020@7dec18:15`). The CLI is the only
 * layer that knows the pack exists; the engine only ever sees a module reference.
 *
 * @example
 * const { scenario, ref } = await resolveScenario('examples/ticket-sale.ts');
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getScenario, scenarioNames as packNames } from '../scenarios/index.ts';
import { importScenario, ScenarioNotFound, type ScenarioRef } from '../harness/scenario/module.ts';
import type { Scenario } from '../harness/scenario/types.ts';

export { ScenarioNotFound };

const PACK = fileURLToPath(new URL('../scenarios/index.ts', import.meta.url));

export interface ResolvedScenario {
  scenario: Scenario;
  ref: ScenarioRef;
}

function looksLikePath(arg: string): boolean {
  return /[\\/]/.test(arg) || /\.(m?[jt]s)$/.test(arg);
}

export function scenarioNames(): string[] {
  return packNames();
}

export async function resolveScenario(arg: string): Promise<ResolvedScenario> {
  if (looksLikePath(arg)) {
    const file = resolve(arg);
    if (!existsSync(file)) throw new ScenarioNotFound(`scenario file '${arg}' does not exist`);
    return { scenario: await importScenario({ file }), ref: { file } };
  }
  const scenario = getScenario(arg);
  if (scenario === undefined) {
    throw new ScenarioNotFound(`scenario '${arg}' not found; known: ${packNames().join(', ')}, or pass a path to a .ts file`);
  }
  return { scenario, ref: { file: PACK, name: arg } };
}
