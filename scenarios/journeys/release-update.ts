/**
 * The 7 Dec 2020 release: the operator raises min_app_version to the new version on both
 * platforms, so every older app meets the mandatory-update modal on its next GET /info. On the
 * reference server this is picco's own admin call (PUT /__picco/info); a vendor target without it
 * answers 404 and the run goes on with whatever /info says (`update_release_unsupported`).
 *
 * @example
 * stream({ journey: releaseUpdate, params: ctx, executor: { type: 'constant-arrival-rate', rate: 1, durationS: 1 } })
 */
import type { Journey } from '../../harness/scenario/types.ts';
import { APP_VERSION } from '../population.ts';
import type { JourneyContext } from './app-client.ts';

export const releaseUpdate: Journey<JourneyContext> = {
  name: 'release-update',
  async run(c) {
    const v = APP_VERSION.after;
    const r = await c.request({
      origin: 'io',
      method: 'PUT',
      path: '/__picco/info',
      endpoint: 'PUT /__picco/info',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ min_app_version: { ios: v, android: v } }),
      expect: [200, 404],
    });
    c.count(r.status === 200 ? 'update_released' : 'update_release_unsupported');
  },
};
