/**
 * Where a scenario comes from, in a form a worker thread can receive: the module's file and,
 * for a pack that holds several scenarios, the name to ask it for. The main thread resolves a
 * SCENARIO argument once (cli/scenario-ref.ts) and builds the plan once; each worker imports
 * the same module and builds its own share, which is deterministic, so every worker sees the
 * same schedule and takes only its stripe (plans hold functions and cannot be cloned).
 *
 * A module either exports `default` (one Scenario) or is a pack exporting
 * `getScenario(name): Scenario | undefined` (and optionally `scenarioNames()`).
 *
 * @example
 * const s = await importScenario({ file: '/abs/path/examples/ticket-sale.ts' });
 * const plan = s.build({ scale: 1, speed: 1, seed: 1 });
 */
import { pathToFileURL } from 'node:url';
import { PiccoError } from '../errors.ts';
import type { Scenario } from './types.ts';

export interface ScenarioRef {
  /** Absolute path of the module. */
  file: string;
  /** The name to ask a pack for; absent: the module's default export. */
  name?: string;
  /**
   * The module's named export that is this Scenario, when known (a pack says where each of its
   * scenarios is defined): a bundle then imports that export alone. Importers here ignore it.
   */
  exportName?: string;
}

export class ScenarioNotFound extends PiccoError {
  constructor(message: string) {
    super('PICCO_ERR_SCENARIO_NOT_FOUND', message);
  }
}

export function isScenario(x: unknown): x is Scenario {
  const s = x as Partial<Scenario> | null;
  return typeof s === 'object' && s !== null && typeof s.name === 'string' && typeof s.build === 'function';
}

interface PackModule {
  default?: unknown;
  getScenario?: (name: string) => unknown;
  scenarioNames?: () => string[];
}

export async function importScenario(ref: ScenarioRef): Promise<Scenario> {
  const mod = (await import(pathToFileURL(ref.file).href)) as PackModule;
  if (ref.name !== undefined && typeof mod.getScenario === 'function') {
    const s = mod.getScenario(ref.name);
    if (isScenario(s)) return s;
    const names = mod.scenarioNames?.() ?? [];
    throw new ScenarioNotFound(`scenario '${ref.name}' not found; known: ${names.join(', ') || '(none)'}, or pass a path to a .ts file`);
  }
  if (!isScenario(mod.default)) {
    throw new ScenarioNotFound(`scenario file '${ref.file}' has no default export of a Scenario: export default defineScenario({ name, description, origins, build })`);
  }
  return mod.default;
}
