/** Every recipe, by group; each group is run by its own test file so vitest spreads them over its workers. */
import type { Entry } from '../recipe.ts';
import { capacity } from './capacity.ts';
import { examples } from './examples.ts';
import { planRun } from './plan-run.ts';
import { serverVerify } from './server-verify.ts';

export const GROUPS: Record<string, Entry[]> = { 'plan-run': planRun, 'server-verify': serverVerify, capacity };
/** Run by other test files; only checked by commands-covered. */
export const ELSEWHERE: Entry[] = examples;
export const ALL: Entry[] = [...Object.values(GROUPS).flat(), ...ELSEWHERE];
