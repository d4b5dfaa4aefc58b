/**
 * The commands the docs show a reader, as the docs write them.
 *
 * Convention (docs/cli.md, "Documented commands are tested"): every line of a fenced block marked
 * `sh` in README.md and docs/*.md is a command. A trailing `# comment` is not part of it, a line
 * ending in `\` continues on the next one, a line ending in `&` starts something in the
 * background. `text`, `yaml`, `json` and unmarked blocks are not commands (usage synopses with
 * `[optional]` parts go there). docs/commands-not-run.md lists, in a table of `command` and
 * reason, the commands no test can run here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const NOT_RUN_FILE = 'docs/commands-not-run.md';

export interface DocCommand {
  /** Repository-relative file. */
  file: string;
  /** 1-based line of the command's first line. */
  line: number;
  /** The command, comment stripped, continuation lines joined, whitespace collapsed. */
  command: string;
}

/** Collapses runs of whitespace so alignment padding in the docs is not part of a command. */
export function normalise(command: string): string {
  return command.trim().replace(/\s+/g, ' ');
}

/** Drops a trailing `# comment` (a `#` after whitespace, outside quotes). */
function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i);
  }
  return line;
}

export function commandsIn(markdown: string, file: string): DocCommand[] {
  const out: DocCommand[] = [];
  const lines = markdown.split('\n');
  let fence: { marker: string; sh: boolean } | undefined;
  let pending: { line: number; text: string } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const open = /^\s*(`{3,}|~{3,})\s*([\w-]*)/.exec(raw);
    if (fence === undefined) {
      if (open !== null) fence = { marker: open[1]!, sh: ['sh', 'bash', 'shell', 'console'].includes(open[2]!) };
      continue;
    }
    if (raw.trim().startsWith(fence.marker) && raw.trim().replace(/[`~]/g, '') === '') {
      fence = undefined;
      continue;
    }
    if (!fence.sh) continue;
    let text = stripComment(raw).replace(/^\s*\$\s+/, '');
    const continues = /\\\s*$/.test(text);
    if (continues) text = text.replace(/\\\s*$/, ' ');
    if (pending !== undefined) {
      pending.text += ` ${text}`;
    } else if (text.trim() !== '') {
      pending = { line: i + 1, text };
    }
    if (!continues && pending !== undefined) {
      out.push({ file, line: pending.line, command: normalise(pending.text) });
      pending = undefined;
    }
  }
  return out;
}

/** The files whose commands are held to the rule: README.md and every docs/*.md but the not-run list. */
export function docFiles(root = ROOT): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`)
    .filter((f) => f !== NOT_RUN_FILE)
    .sort();
  return ['README.md', ...docs];
}

export function documentedCommands(root = ROOT): DocCommand[] {
  return docFiles(root).flatMap((f) => commandsIn(readFileSync(join(root, f), 'utf8'), f));
}

export interface NotRun {
  command: string;
  reason: string;
  line: number;
}

/** Rows of the not-run table: `| \`command\` | reason |` (a `|` inside a command is written `\|`). */
export function parseNotRun(markdown: string): NotRun[] {
  const rows: NotRun[] = [];
  markdown.split('\n').forEach((raw, i) => {
    const m = /^\|\s*`(.+?)`\s*\|\s*(.*?)\s*\|\s*$/.exec(raw);
    if (m === null) return;
    rows.push({ command: normalise(m[1]!.replaceAll('\\|', '|')), reason: m[2]!.trim(), line: i + 1 });
  });
  return rows;
}

export function notRun(root = ROOT): NotRun[] {
  return parseNotRun(readFileSync(join(root, NOT_RUN_FILE), 'utf8'));
}
