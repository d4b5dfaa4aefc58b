/**
 * Sessions kept across arrivals for scenarios where a citizen acts many times (card-peak,
 * "riprova" presses): a direct-mapped cache of `capacity` slots, slot = citizen mod capacity,
 * holding four token strings and the citizen index in an Int32Array. No Map, no per-entry
 * object beyond the session itself; a colliding citizen simply replaces the slot (and logs in
 * again next time), so memory is bounded by capacity × ~300 bytes whatever the run length.
 *
 * @example
 * const cache = new SessionCache(50_000);
 * const s = cache.get(citizen) ?? cache.put(citizen, await openApp(c, ctx, cf));
 */
import type { AppSession } from './app-client.ts';

export class SessionCache {
  private readonly owner: Int32Array;
  private readonly sessions: (AppSession | undefined)[];

  constructor(readonly capacity: number) {
    this.owner = new Int32Array(capacity).fill(-1);
    this.sessions = new Array<AppSession | undefined>(capacity).fill(undefined);
  }

  get(citizen: number): AppSession | undefined {
    const slot = citizen % this.capacity;
    return this.owner[slot] === citizen ? this.sessions[slot] : undefined;
  }

  put(citizen: number, s: AppSession | undefined): AppSession | undefined {
    if (!s) return undefined;
    const slot = citizen % this.capacity;
    this.owner[slot] = citizen;
    this.sessions[slot] = s;
    return s;
  }

  get size(): number {
    let n = 0;
    for (let k = 0; k < this.capacity; k++) if (this.owner[k]! >= 0) n++;
    return n;
  }
}
