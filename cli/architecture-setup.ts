/**
 * The setup pace a run keeps against the embedded `--architecture 2020` server: preloading the
 * wallets citizens had before a launch window goes through the same card-services pool the
 * surge saturates (about six calls per citizen: card vault, authorisation, 3DS, wallet list), and
 * at laptop scale it would be a surge of its own. The preload is held to 80 % of that pool's
 * throughput, so the window starts on a healthy server; the trigger is the launch's, not picco's.
 *
 * @example
 * setupRate2020(0.03) // ≈ 5.6 citizens/s: 5 connections x 1/0.12 s x 0.8 / 6
 */
import { NATIONAL_CAPACITY } from '../reference-server/src/architecture-2020/config.ts';

const CALLS_PER_PRELOADED_CITIZEN = 6;

export function setupRate2020(rateScale: number): number {
  const connections = Math.max(1, Math.round(NATIONAL_CAPACITY.bankingConnections * rateScale));
  const { minMs, maxMs } = NATIONAL_CAPACITY.bankingCallMs;
  const callsPerS = connections / ((minMs + maxMs) / 2 / 1000);
  return Math.max(0.5, (0.8 * callsPerS) / CALLS_PER_PRELOADED_CITIZEN);
}
