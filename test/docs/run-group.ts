/** Declares one vitest test per recipe of a group (test/docs/commands-*.test.ts call it). */
import { expect, it } from 'vitest';
import { isElsewhere, runRecipe, type Entry } from './recipe.ts';

export function runGroup(entries: Entry[]): void {
  for (const e of entries) {
    if (isElsewhere(e)) continue; // run by its own test file, checked by commands-covered
    const name = e.doc.join(' && ') + (e.why !== undefined ? ` (${e.why})` : '');
    const timeout = (e.timeoutMs ?? 120_000) + 30_000;
    if (e.knownBroken !== undefined) {
      // Asserts the documented command still exits wrongly, as the issue says; the fix makes this test fail until the field is removed.
      it(`${name}: known broken, ${e.knownBroken}`, async () => {
        const err = await runRecipe(e).then(() => undefined, (x: unknown) => x as Error);
        expect(err, `the documented command works now: remove knownBroken from its recipe (${e.knownBroken})`).toBeInstanceOf(Error);
        expect(err!.message, 'it ran and exited with the wrong code (not a setup failure)').toMatch(/exited \d+, expected/);
      }, timeout);
    } else {
      it(name, async () => {
        await runRecipe(e);
      }, timeout);
    }
  }
}
