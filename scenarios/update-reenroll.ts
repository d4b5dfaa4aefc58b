/**
 * update-reenroll: 7 Dec 2020 alone, the mandatory update and re-enrollment surge. The wallets
 * citizens had before the update are preloaded first (stream 'preload-wallets'), then the day
 * runs: downloads, updaters re-adding their vanished cards (422 creditcard.already_exists),
 * enrolling and enabling them, joiners adding cards and enrolling, the "riprova" presses
 * (6,000/s at 09:00, 8,000/s at 18:30 at scale 1) and browsing. `--duration` cuts it; for the
 * surge hour alone use `december-2020@7dec18:00 --duration 1h` (at --speed 1).
 *
 * @example
 * picco run update-reenroll --scale 0.01 --speed 60
 */
import { launchScenario } from './december-2020.ts';
import { DAY } from './launch/model.ts';

export const updateReenroll = launchScenario(
  'update-reenroll',
  6 * DAY,
  DAY,
  'The 7 Dec 2020 update and re-enrollment surge alone (wallets before it preloaded)',
);
