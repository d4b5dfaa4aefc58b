/** Declares one vitest test per recipe of a group (test/docs/commands-*.test.ts call it). */
import { it } from 'vitest';
import { isElsewhere, runRecipe, type Entry } from './recipe.ts';

export function runGroup(entries: Entry[]): void {
  for (const e of entries) {
    if (isElsewhere(e)) continue; // run by its own test file, checked by commands-covered
    const name = e.doc.join(' && ') + (e.why !== undefined ? ` (${e.why})` : '');
    const timeout = (e.timeoutMs ?? 120_000) + 30_000;
    if (e.knownBroken !== undefined) {
      // Asserts the documented command still fails the way the issue says; the fix makes this test fail until the field is removed.
      it.fails(`${name}: known broken, ${e.knownBroken}`, async () => {
        await runRecipe(e);
      }, timeout);
    } else {
      it(name, async () => {
        await runRecipe(e);
      }, timeout);
    }
  }
}
