/**
 * The USL measurements file: what `picco capacity --workers N --usl FILE` appends to after
 * each knee search, and what a planner may write by hand from measurements made elsewhere
 * (another box, a staging cluster). One entry per repeat at the knee, several per worker count:
 *
 *   { "measurements": [
 *       { "workers": 1, "cardAdditionsPerS": 410, "opsPerS": 2900, "source": "picco capacity 2026-11-26" },
 *       { "workers": 2, "cardAdditionsPerS": 790, "opsPerS": 5600 },
 *       { "workers": 4, "cardAdditionsPerS": 1420, "opsPerS": 10100 } ] }
 *
 * `workers` is the number of identical server instances (node:cluster workers or hosts);
 * the throughputs are what held the SLOs at that size (the knee), not the peak of a meltdown.
 */
import { PiccoError } from '../errors.ts';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';

export const measurementSchema = z.strictObject({
  workers: z.number().int().min(1),
  cardAdditionsPerS: z.number().min(0),
  opsPerS: z.number().min(0),
  source: z.string().optional(),
});
export const uslFileSchema = z.strictObject({ measurements: z.array(measurementSchema) });
export type UslMeasurement = z.infer<typeof measurementSchema>;

export class UslFileError extends PiccoError {
  constructor(message: string, options?: ErrorOptions) {
    super('PICCO_ERR_USL_FILE', message, options);
  }
}

export function readUslFile(path: string): UslMeasurement[] {
  if (!existsSync(path)) return [];
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UslFileError(`--usl ${path} is not JSON: ${(err as Error).message}`);
  }
  const r = uslFileSchema.safeParse(raw);
  if (!r.success) {
    throw new UslFileError(`--usl ${path}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')} (format: {"measurements": [{"workers": 1, "cardAdditionsPerS": n, "opsPerS": n}]})`);
  }
  return r.data.measurements;
}

export function appendUslFile(path: string, add: UslMeasurement[]): UslMeasurement[] {
  const all = [...readUslFile(path), ...add];
  writeFileSync(path, JSON.stringify({ measurements: all }, null, 2) + '\n');
  return all;
}
