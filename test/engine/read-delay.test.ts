/**
 * The read-delay bound of the engine's loop (harness/metrics/loop-watch.ts): a loop that keeps
 * turning without ever waiting in its poll is not counted as held up, and a loop held up inside a
 * turn still is. Real event loop, no sockets: the bound is an upper bound on how long a response
 * recorded at t sat readable, here with nothing readable at all, so only its size is asserted.
 */
import { describe, expect, it } from 'vitest';
import { LoopWatch } from '../../harness/metrics/loop-watch.ts';
import { now } from '../../harness/runner/clock.ts';

const spin = (ms: number): void => {
  const until = performance.now() + ms;
  while (performance.now() < until) { /* the engine's own work */ }
};

describe('read delay of the engine loop', () => {
  it('counts a loop that turns every millisecond without idling as prompt, not as held up since its last wait', async () => {
    const w = new LoopWatch();
    const bounds: number[] = [];
    // 150 turns of 1 ms of work each, none waiting in poll (an immediate is always pending), a
    // response recorded in each: the loop answers every turn, the last idle wait ends recede.
    await new Promise<void>((done) => {
      let turns = 0;
      const turn = (): void => {
        spin(1);
        bounds.push(w.readDelay(now(), 10_000));
        if (++turns < 150) setImmediate(turn);
        else done();
      };
      setImmediate(turn);
    });
    // Since its last wait the loop has been busy 150 ms; between two turns, a millisecond or two.
    const late = bounds.slice(50);
    expect(Math.max(...late)).toBeLessThan(40);
    expect(late.filter((b) => b < 10).length).toBeGreaterThan(late.length / 2);
  });

  it('still counts a loop held up inside a turn: a response recorded after 80 ms of synchronous work', async () => {
    const w = new LoopWatch();
    await new Promise((r) => setImmediate(r));
    w.readDelay(now(), 10_000); // a turn marker queued
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    spin(80);
    expect(w.readDelay(now(), 10_000)).toBeGreaterThanOrEqual(80);
    // and never more than the response's own service time
    expect(w.readDelay(now(), 5)).toBe(5);
  });
});
