/**
 * Static checks of an exported k6 script: parse it with acorn (as k6's own parser would accept an
 * ES module), take `export const options` out of the AST, and type-check that object against
 * @types/k6's `Options` with the TypeScript compiler API.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as acorn from 'acorn';
import { API } from 'typescript/unstable/sync';

export interface ParsedScript {
  ast: acorn.Program;
  /** Source text of the options object literal. */
  optionsSource: string;
  options: Record<string, any>;
  exportedFunctions: string[];
  imports: string[];
}

export function parseK6Script(script: string): ParsedScript {
  const ast = acorn.parse(script, { ecmaVersion: 'latest', sourceType: 'module' });
  let optionsSource: string | undefined;
  const exportedFunctions: string[] = [];
  const imports: string[] = [];
  for (const node of ast.body) {
    if (node.type === 'ImportDeclaration') imports.push(String(node.source.value));
    if (node.type === 'ExportNamedDeclaration') {
      const d = node.declaration;
      if (d?.type === 'VariableDeclaration') {
        for (const v of d.declarations) {
          if (v.id.type === 'Identifier' && v.id.name === 'options' && v.init?.type === 'ObjectExpression') optionsSource = script.slice(v.init.start, v.init.end);
        }
      }
      if (d?.type === 'FunctionDeclaration' && d.id) exportedFunctions.push(d.id.name);
      for (const s of node.specifiers) if (s.exported.type === 'Identifier') exportedFunctions.push(s.exported.name);
    }
  }
  if (optionsSource === undefined) throw new Error('the script has no `export const options = { ... }`');
  // The literal has no free identifiers (checked by evaluating it without any scope).
  const options = new Function(`"use strict"; return (${optionsSource});`)() as Record<string, any>;
  return { ast, optionsSource, options, exportedFunctions, imports };
}

/** Type-checks `const o: Options = <literal>` with the TypeScript compiler API; returns the diagnostics' texts. */
export function typeCheckOptions(optionsSource: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'picco-k6-types-'));
  const typeRoots = resolve('node_modules/@types');
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, module: 'nodenext', target: 'es2022', types: ['k6'], typeRoots: [typeRoots], skipLibCheck: true },
    files: ['options.ts'],
  }));
  writeFileSync(join(dir, 'options.ts'), `import type { Options } from 'k6/options';\nconst o: Options = ${optionsSource};\nexport default o;\n`);
  const api = new API({ cwd: dir });
  try {
    const snap = api.updateSnapshot({ openProjects: [join(dir, 'tsconfig.json')] });
    const project = snap.getProject(join(dir, 'tsconfig.json'));
    if (project === undefined) throw new Error('the TypeScript API did not open the project');
    const diags = [...project.program.getSyntacticDiagnostics(), ...project.program.getSemanticDiagnostics(), ...project.program.getGlobalDiagnostics()];
    return diags.map((d) => `${d.fileName ?? ''}:${d.pos}: ${typeof d.text === 'string' ? d.text : JSON.stringify(d.text)}`);
  } finally {
    api.close();
  }
}
