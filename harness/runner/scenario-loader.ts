/**
 * Resolves a SCENARIO argument: a path to a .ts/.js file exporting `default` (a Scenario), or a
 * name registered in scenarios/index.ts (`getScenario(name)`, owned by the scenarios part). The
 * registry is imported lazily, so the engine works before it exists.
 *
 * @example
 * const s = await loadScenario('test/engine/fixtures/smoke.ts');
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Scenario } from '../scenario/types.ts';

export class ScenarioNotFound extends Error {
  readonly code = 'PICCO_ERR_SCENARIO';
}

function looksLikePath(ref: string): boolean {
  return /[\\/]/.test(ref) || /\.(m?[jt]s)$/.test(ref);
}

function isScenario(x: unknown): x is Scenario {
  const s = x as Partial<Scenario> | null;
  return typeof s === 'object' && s !== null && typeof s.name === 'string' && typeof s.build === 'function';
}

export async function scenarioNames(): Promise<string[]> {
  try {
    const reg = (await import('../../scenarios/index.ts' as string)) as { scenarioNames?: () => string[] };
    return reg.scenarioNames?.() ?? [];
  } catch {
    return [];
  }
}

export async function loadScenario(ref: string): Promise<Scenario> {
  if (looksLikePath(ref)) {
    const file = resolve(ref);
    if (!existsSync(file)) throw new ScenarioNotFound(`scenario file '${ref}' does not exist`);
    const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
    if (!isScenario(mod.default)) throw new ScenarioNotFound(`scenario file '${ref}' has no default export of a Scenario ({ name, description, build })`);
    return mod.default;
  }
  let reg: { getScenario?: (name: string) => Scenario | undefined; scenarioNames?: () => string[] };
  try {
    reg = (await import('../../scenarios/index.ts' as string)) as typeof reg;
  } catch {
    throw new ScenarioNotFound(`scenario '${ref}' not found: no scenario registry yet; pass a path to a .ts file exporting a default Scenario`);
  }
  const s = reg.getScenario?.(ref);
  if (s === undefined) {
    const names = reg.scenarioNames?.() ?? [];
    throw new ScenarioNotFound(`scenario '${ref}' not found; known: ${names.join(', ') || '(none)'}, or pass a path to a .ts file`);
  }
  return s;
}
