/**
 * picco's own control surface, under /__picco (not part of any real API): read and replace the
 * faults profile (PUT /__picco/faults, same format as `--faults FILE`), change the /info minimum
 * versions at run time (PUT /__picco/info, for the 7 Dec 2020 mandatory update), a health check,
 * and the state of each simulated downstream service. Loopback use only, like the whole server.
 *
 * @example
 * PUT /__picco/info {"min_app_version":{"ios":"1.14.0","android":"1.14.0"}}
 */
import type { Context } from 'hono';
import { z } from 'zod';
import { readJson } from './validation.ts';
import { faultsSchema } from './downstream/faults.ts';
import { SERVICE_NAMES } from './downstream/faults.ts';
import type { AppEnv, AppInfo } from './context.ts';

const version = z.object({ ios: z.string().regex(/^\d+(\.\d+){0,3}$/), android: z.string().regex(/^\d+(\.\d+){0,3}$/) }).strict();
const infoPatch = z.object({ min_app_version: version.optional(), min_app_version_pagopa: version.optional() }).strict();

export function getFaults(c: Context<AppEnv>): Response {
  return c.json(c.get('ctx').settings.faults, 200);
}

export async function putFaults(c: Context<AppEnv>): Promise<Response> {
  const profile = await readJson(c, faultsSchema);
  await c.get('ctx').settings.setFaults(profile);
  return c.json(profile, 200);
}

export async function putInfo(c: Context<AppEnv>): Promise<Response> {
  const patch = await readJson(c, infoPatch);
  const next: Partial<AppInfo> = {};
  if (patch.min_app_version !== undefined) next.min_app_version = patch.min_app_version;
  if (patch.min_app_version_pagopa !== undefined) next.min_app_version_pagopa = patch.min_app_version_pagopa;
  return c.json(await c.get('ctx').settings.setInfo(next), 200);
}

export function health(c: Context<AppEnv>): Response {
  return c.json({ status: 'ok', storage: c.get('ctx').storage.kind }, 200);
}

export function downstreamState(c: Context<AppEnv>): Response {
  const ds = c.get('ctx').downstream.all;
  return c.json(Object.fromEntries(SERVICE_NAMES.map((n) => [n, { ...ds[n].stats(), config: ds[n].settings }])), 200);
}

export async function metricsText(c: Context<AppEnv>): Promise<Response> {
  const reg = c.get('ctx').registry;
  return c.body(await reg.metrics(), 200, { 'content-type': reg.contentType });
}
