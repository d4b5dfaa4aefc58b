/**
 * A small closed-loop load for resilience tests: `concurrency` loops, each sending the next
 * request as soon as the previous one settled, until stopped. Records what was acknowledged.
 * (The engine measures performance; this only needs to keep the server busy and remember 2xx.)
 *
 * @example
 * const load = closedLoop(32, async (i) => { ... }); await sleep(1500); await load.stop();
 */
export interface ClosedLoop {
  stop(): Promise<void>;
  readonly sent: number;
}

export function closedLoop(concurrency: number, step: (i: number) => Promise<void>): ClosedLoop {
  let stopped = false;
  let next = 0;
  const loops = Array.from({ length: concurrency }, async () => {
    while (!stopped) {
      const i = next++;
      try {
        await step(i);
      } catch {
        // connection reset by a killed server, timeouts: the step records only acknowledgements
      }
    }
  });
  return {
    get sent() {
      return next;
    },
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
