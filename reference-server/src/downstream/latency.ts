/**
 * Latency samples for the simulated services. Lognormal is the default shape for real network
 * services (a long right tail); it is parameterised by median and p99 because those are the
 * numbers people know. sigma = ln(p99/median) / 2.3263 (the 99th percentile of N(0,1)).
 *
 * @example
 * sampleLatency({ kind: 'lognormal', medianMs: 3, p99Ms: 12 }, Math.random) // ≈ 3
 */
import type { Latency } from './faults.ts';

const Z99 = 2.3263478740408408;

export function sampleLatency(l: Latency, random: () => number): number {
  switch (l.kind) {
    case 'fixed':
      return l.ms;
    case 'uniform':
      return l.minMs + (l.maxMs - l.minMs) * random();
    case 'lognormal': {
      const sigma = Math.log(l.p99Ms / l.medianMs) / Z99;
      // Box-Muller; 1 - random() avoids log(0)
      const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      return l.medianMs * Math.exp(sigma * z);
    }
  }
}
