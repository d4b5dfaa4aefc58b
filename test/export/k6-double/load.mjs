// Prepares a k6 script for the double: rewrites its k6 imports to the double's modules and
// writes the result to a temporary .mjs file, whose URL the caller imports (once per VU, with a
// distinct query string, so each import evaluates the init context anew as a k6 VU does).
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const MODULES = { 'k6': 'k6.mjs', 'k6/http': 'http.mjs', 'k6/execution': 'execution.mjs', 'k6/metrics': 'metrics.mjs', 'k6/data': 'data.mjs' };

export function prepareScript(script) {
  let src = readFileSync(script, 'utf8');
  src = src.replace(/(from\s*|import\s*)(["'])(k6(?:\/[a-z]+)?)\2/g, (m, kw, q, name) => {
    const file = MODULES[name];
    if (!file) throw new Error(`the k6 double has no module ${name}`);
    return `${kw}${q}${new URL(`./${file}`, import.meta.url).href}${q}`;
  });
  const file = join(mkdtempSync(join(tmpdir(), 'k6-double-')), 'script.mjs');
  writeFileSync(file, src);
  return pathToFileURL(file).href;
}
