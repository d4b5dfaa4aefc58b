/**
 * Reads an SLO file (YAML or JSON; YAML parses JSON too), validated with zod at the edge; every
 * bad entry is reported at once, naming the file and the entry's position.
 *
 * @example
 * const slos = loadSloFile('slo.yaml'); // throws SloFileError listing every problem
 */
import { PiccoError } from '../errors.ts';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseDuration } from '../config/problems.ts';
import { parseSlo, SloSyntaxError, type Slo } from './parse.ts';

const entry = z.union([
  z.string(),
  z.strictObject({ threshold: z.string(), abortOnFail: z.boolean().optional(), delayAbortEval: z.string().optional() }),
]);
const file = z.union([z.array(entry), z.strictObject({ thresholds: z.array(entry) })]);

export class SloFileError extends PiccoError {
  constructor(readonly problems: string[]) {
    super('PICCO_ERR_SLO_FILE', problems.join('; '));
  }
}

export function parseSloList(entries: ReadonlyArray<z.infer<typeof entry>>, where: string): Slo[] {
  const problems: string[] = [];
  const out: Slo[] = [];
  entries.forEach((e, i) => {
    try {
      if (typeof e === 'string') out.push(parseSlo(e));
      else {
        let delay = 0;
        if (e.delayAbortEval !== undefined) {
          const d = parseDuration(e.delayAbortEval);
          if (d === undefined) problems.push(`${where} entry ${i + 1}: delayAbortEval '${e.delayAbortEval}' is not a duration`);
          else delay = d;
        }
        out.push(parseSlo(e.threshold, { abortOnFail: e.abortOnFail ?? false, delayAbortEvalS: delay }));
      }
    } catch (err) {
      if (err instanceof SloSyntaxError) problems.push(`${where} entry ${i + 1}: ${err.message}`);
      else throw err;
    }
  });
  if (problems.length > 0) throw new SloFileError(problems);
  return out;
}

export function loadSloFile(path: string): Slo[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new SloFileError([`--slo file '${path}' cannot be read`]);
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (err) {
    throw new SloFileError([`--slo file '${path}' is neither YAML nor JSON: ${(err as Error).message.split('\n')[0]}`]);
  }
  const r = file.safeParse(data);
  if (!r.success) {
    throw new SloFileError(r.error.issues.map((iss) => `--slo file '${path}'${iss.path.length ? ` at ${iss.path.join('.')}` : ''}: ${iss.message} (expected a list of SLO strings or {threshold, abortOnFail, delayAbortEval})`));
  }
  const entries = Array.isArray(r.data) ? r.data : r.data.thresholds;
  return parseSloList(entries, `--slo file '${path}'`);
}
