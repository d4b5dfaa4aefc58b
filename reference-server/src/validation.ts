/**
 * Input validation at the edge: bodies are read as text, parsed as JSON and checked with zod;
 * any problem is a 400 in the error envelope naming every offending field (never its value, so
 * a mistyped PAN or IBAN is not echoed). Query strings are validated the same way.
 *
 * @example
 * const body = await readJson(c, walletRequestSchema);
 */
import type { Context } from 'hono';
import { z } from 'zod';
import { ApiError } from './errors.ts';
import { describeIssues } from './downstream/faults.ts';

/**
 * `fast`: an optional hand-written check for the hot routes (card additions): it returns the
 * parsed body when the body is plainly valid and undefined otherwise, and then zod decides (and
 * names each problem). It may send valid bodies to zod, never accept an invalid one.
 */
export async function readJson<S extends z.ZodType>(c: Context, schema: S, fast?: (raw: unknown) => z.infer<S> | undefined): Promise<z.infer<S>> {
  const text = await c.req.text();
  if (text.trim() === '') throw new ApiError('request.invalid', 'the request body is empty: a JSON object is required');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ApiError('request.malformed_json');
  }
  return fast?.(raw) ?? check(schema, raw, 'body');
}

export function readQuery<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  return check(schema, c.req.query(), 'query');
}

/** Largest integer a JSON number or a JS number holds exactly: the bound of picco's int64 ids. */
export const MAX_ID = Number.MAX_SAFE_INTEGER;
export const INT32_MAX = 2147483647;

/**
 * An integer written as decimal digits (no exponent, hex, blank or fraction, which Number()
 * would take), within [min, max]: query and path parameters are text.
 */
export const intText = (min: number, max: number) => z.string()
  .regex(/^-?[0-9]{1,20}$/, 'must be an integer').transform(Number)
  .pipe(z.number().int().min(min, `must be >= ${min}`).max(max, `must be <= ${max}`));

const PARAM_NAME = /^[A-Za-z0-9_.-]{1,40}$/;

/**
 * The first query parameter given more than once in `url` (every documented parameter is
 * single-valued, and a second copy would otherwise go unchecked), or undefined.
 */
export function repeatedQueryParam(url: string): string | undefined {
  const q = url.indexOf('?');
  if (q < 0 || url.indexOf('&', q) < 0) return undefined;
  const seen = new Set<string>();
  for (const part of url.slice(q + 1).split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    let name = eq < 0 ? part : part.slice(0, eq);
    try {
      name = decodeURIComponent(name.replace(/\+/g, ' '));
    } catch {
      // a malformed escape stays as written
    }
    if (seen.has(name)) return PARAM_NAME.test(name) ? name : '(a parameter)';
    seen.add(name);
  }
  return undefined;
}

export function check<S extends z.ZodType>(schema: S, raw: unknown, where: string): z.infer<S> {
  const r = schema.safeParse(raw);
  if (!r.success) throw new ApiError('request.invalid', describeIssues(r.error).map((p) => `${where}.${p}`).join('; '));
  return r.data;
}
