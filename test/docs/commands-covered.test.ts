/**
 * Every command in a `sh` block of README.md and docs/*.md is either run by a recipe
 * (test/docs/recipes/, run by test/docs/commands-*.test.ts) or listed in
 * docs/commands-not-run.md with the reason it cannot run here. A documented command that is
 * neither fails here, and so does a recipe or a listed command that no doc shows any more.
 * The convention is in test/docs/doc-commands.ts and docs/cli.md ("Documented commands are tested").
 * Pure: reads files only.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandsIn, documentedCommands, normalise, notRun, ROOT, NOT_RUN_FILE } from './doc-commands.ts';
import { isElsewhere } from './recipe.ts';
import { ALL } from './recipes/index.ts';

const documented = documentedCommands();
const docSet = new Set(documented.map((c) => c.command));
const recipeLines = new Map<string, string>(); // command -> how it is covered
for (const e of ALL) for (const d of e.doc) recipeLines.set(normalise(d).replace(/\s*&$/, ' &'), isElsewhere(e) ? `run by ${e.by}` : 'recipe');
const listed = notRun();

describe('documented commands', () => {
  it('finds commands in sh blocks only, without comments, joining continued lines', () => {
    const md = [
      '```sh', 'npx picco run smoke   # a comment', 'npx picco run \\', '  card-peak --scale 0.1', '',
      "echo 'a # not a comment'", '```', '```text', 'picco run SCENARIO [--scale F]', '```', '```yaml', '- "x: y"', '```',
    ].join('\n');
    expect(commandsIn(md, 'x.md').map((c) => c.command)).toEqual(['npx picco run smoke', 'npx picco run card-peak --scale 0.1', "echo 'a # not a comment'"]);
  });

  it('the docs show commands (README.md and docs/*.md are read)', () => {
    expect(documented.some((c) => c.file === 'README.md' && c.command === 'npx picco run december-2020')).toBe(true);
    expect(new Set(documented.map((c) => c.file)).size).toBeGreaterThan(3);
  });

  it('every documented command is run by a test or listed with its reason', () => {
    const listedSet = new Set(listed.map((l) => l.command));
    const uncovered = documented.filter((c) => !recipeLines.has(c.command) && !listedSet.has(c.command));
    expect(uncovered.map((c) => `${c.file}:${c.line}: ${c.command}`), `add a recipe in test/docs/recipes/ or a row in ${NOT_RUN_FILE}`).toEqual([]);
  });

  it('no command is both run and listed as not run, and every listed one has a reason', () => {
    for (const l of listed) {
      expect(recipeLines.has(l.command), `${NOT_RUN_FILE}:${l.line} lists '${l.command}', which a recipe runs`).toBe(false);
      expect(l.reason.length, `${NOT_RUN_FILE}:${l.line}: give the reason`).toBeGreaterThan(10);
    }
  });

  it('recipes and the not-run list name only commands the docs still show', () => {
    const stale = [...recipeLines.keys(), ...listed.map((l) => l.command)].filter((c) => !docSet.has(c));
    expect(stale, 'a doc changed: update the recipe or the row to the command as the doc now writes it').toEqual([]);
  });

  it('a recipe that changes a command says why; one run elsewhere names a test that still does it', () => {
    for (const e of ALL) {
      if (isElsewhere(e)) {
        const path = join(ROOT, e.by);
        expect(existsSync(path), `${e.by} exists`).toBe(true);
        const hit = statSync(path).isDirectory() ? readdirSync(path).includes(e.marker) : readFileSync(path, 'utf8').includes(e.marker);
        expect(hit, `${e.by} contains '${e.marker}'`).toBe(true);
        expect(e.why.length).toBeGreaterThan(10);
      } else if (e.change !== undefined || e.knownBroken !== undefined) {
        expect(e.why ?? '', `${e.doc[0]}: say why it is changed`).not.toBe('');
      }
    }
  });
});
