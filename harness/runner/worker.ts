/**
 * The worker-thread side: prepares its engine from `workerData` (a WorkSpec: connections opened,
 * code warmed by the rehearsal), says `ready`, answers `ping` (the main thread times the round
 * trip to place the epoch), answers `rewarm` (before a --start-at instant it waited for: the idle
 * connections used again), waits for `start` (with the shared epoch), then streams one snapshot
 * per second to the main thread and ends with `done`. `abort` from the main thread stops new
 * arrivals.
 *
 * Messages out: {type:'ready'} | {type:'pong'} | {type:'rewarmed', n} | {type:'second', snap} | {type:'done', info} | {type:'error', message}
 */
import { parentPort, workerData } from 'node:worker_threads';
import { prepareEngine, type EngineControl } from './engine.ts';
import { setEpoch } from './clock.ts';
import { raiseLoadThread, threadNice } from './thread-priority.ts';
import type { WorkSpec } from './work.ts';

const port = parentPort!;
const spec = workerData as WorkSpec;
const control: EngineControl = { aborted: false };

try {
  const engine = await prepareEngine(spec);
  port.on('message', (msg: { type: string; epochMs?: number; budgetMs?: number }) => {
    if (msg.type === 'abort') control.aborted = true;
    if (msg.type === 'ping') port.postMessage({ type: 'pong' });
    if (msg.type === 'rewarm') void engine.rewarm(msg.budgetMs ?? 500).then((n) => port.postMessage({ type: 'rewarmed', n }));
    if (msg.type === 'start') {
      raiseLoadThread();
      const nice = threadNice();
      setEpoch(msg.epochMs!);
      void engine.start((snap) => port.postMessage({ type: 'second', snap }), control).then((info) => {
        port.postMessage({ type: 'done', info: nice === undefined ? info : { ...info, nice } });
        port.close();
      });
    }
  });
  port.postMessage({ type: 'ready' });
} catch (err) {
  port.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  port.close();
}
