/**
 * The group-commit batcher of the PostgreSQL store, on its own (no database): at most
 * `maxInFlight` statements at once (beyond the first only with `overlapAt` callers waiting), the
 * callers that arrive meanwhile share the next one, two items with the same key never share one,
 * and a failing item fails alone.
 */
import { describe, expect, it } from 'vitest';
import { Batcher } from '../../reference-server/src/storage/postgres/batcher.ts';
import { StorageFailure } from '../../reference-server/src/storage/storage.ts';

/** A statement runner completed by hand, recording the batches it was given. */
function manual() {
  const batches: number[][] = [];
  const pending: (() => void)[] = [];
  const run = (items: number[]): Promise<number[]> => {
    batches.push(items);
    return new Promise((resolve, reject) => {
      pending.push(() => (items.includes(13) ? reject(new Error('bad item 13')) : resolve(items.map((i) => i * 10))));
    });
  };
  const finishAll = async (): Promise<void> => {
    while (pending.length > 0) {
      pending.shift()!();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { run, batches, finishAll };
}

describe('postgres group-commit batcher', () => {
  it('sends at once while under maxInFlight, then lets the waiting callers share one statement', async () => {
    const m = manual();
    const b = new Batcher<number, number>(m.run, { maxInFlight: 1 });
    const out = [1, 2, 3, 4, 5].map((i) => b.call(i));
    expect(m.batches).toEqual([[1]]);
    await m.finishAll();
    expect(await Promise.all(out)).toEqual([10, 20, 30, 40, 50]);
    expect(m.batches).toEqual([[1], [2, 3, 4, 5]]);
  });

  it('overlaps a second statement only once overlapAt callers wait, and sends whatever waits when none is in flight', async () => {
    const m = manual();
    const b = new Batcher<number, number>(m.run, { maxInFlight: 3, overlapAt: 4 });
    const out = [1, 2, 3].map((i) => b.call(i));
    // The first goes at once; two waiting are fewer than 4, so they wait for it.
    expect(m.batches).toEqual([[1]]);
    out.push(...[4, 5].map((i) => b.call(i)));
    // Four waiting: a second statement overlaps the first.
    expect(m.batches).toEqual([[1], [2, 3, 4, 5]]);
    out.push(b.call(6));
    expect(m.batches.length).toBe(2);
    await m.finishAll();
    expect(await Promise.all(out)).toEqual([10, 20, 30, 40, 50, 60]);
    expect(m.batches).toEqual([[1], [2, 3, 4, 5], [6]]);
  });

  it('never puts two items with the same key in one statement', async () => {
    const m = manual();
    const b = new Batcher<number, number>(m.run, { maxInFlight: 1, key: (i) => String(i % 2) });
    const out = [1, 2, 3, 4, 5].map((i) => b.call(i));
    await m.finishAll();
    await Promise.all(out);
    for (const batch of m.batches) expect(new Set(batch.map((i) => i % 2)).size).toBe(batch.length);
  });

  it('retries a failed batch item by item, so only the bad item gets the error', async () => {
    const m = manual();
    const b = new Batcher<number, number>(m.run, { maxInFlight: 1 });
    const first = b.call(1);
    const rest = [12, 13, 14].map((i) => b.call(i).then((v) => ({ v }), (e: Error) => ({ e: e.message })));
    await m.finishAll();
    expect(await first).toBe(10);
    expect(await Promise.all(rest)).toEqual([{ v: 120 }, { e: 'bad item 13' }, { v: 140 }]);
  });

  it('fails a whole batch at once, without retries, when the database is unavailable', async () => {
    let calls = 0;
    const b = new Batcher<number, number>(async () => {
      calls++;
      await new Promise((r) => setImmediate(r));
      throw new StorageFailure('database unavailable (ECONNREFUSED)');
    }, { maxInFlight: 1 });
    const out = await Promise.allSettled([1, 2, 3, 4].map((i) => b.call(i)));
    expect(out.every((r) => r.status === 'rejected' && r.reason instanceof StorageFailure)).toBe(true);
    expect(calls).toBe(2);
  });
});
