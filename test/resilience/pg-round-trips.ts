/**
 * Counts the round trips this process makes to PostgreSQL, at the wire: every Sync message (the
 * end of one extended-protocol query: Parse/Bind/Execute, or Bind/Execute for a prepared one) and
 * every simple-protocol Query message is answered by one ReadyForQuery, so their number is the
 * number of round trips, whatever the code above the driver does. Process-wide: count around
 * code that runs alone.
 *
 * @example
 * const rt = countRoundTrips(); await storage.addCard(card, now); expect(rt.stop()).toBe(1);
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// The driver's own Connection class (the same module instance pg uses).
const Connection = require('pg/lib/connection.js') as { prototype: Record<string, (...a: unknown[]) => unknown> };

let active: { n: number; statements: string[] }[] = [];
let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  const proto = Connection.prototype;
  for (const method of ['sync', 'query'] as const) {
    const original = proto[method]!;
    proto[method] = function (this: unknown, ...a: unknown[]) {
      for (const c of active) {
        c.n++;
        if (method === 'query') c.statements.push(String(a[0]).slice(0, 60));
      }
      return original.apply(this, a);
    };
  }
  const bind = proto['bind']!;
  proto['bind'] = function (this: unknown, ...a: unknown[]) {
    const name = (a[0] as { statement?: string } | undefined)?.statement;
    for (const c of active) c.statements.push(name === undefined || name === '' ? '(unnamed)' : name);
    return bind.apply(this, a);
  };
}

export interface RoundTripCounter {
  /** Round trips so far. */
  readonly count: number;
  /** Named statements (or the first characters of simple queries) sent so far. */
  readonly statements: readonly string[];
  /** Stops counting and returns the count. */
  stop(): number;
}

export function countRoundTrips(): RoundTripCounter {
  install();
  const c = { n: 0, statements: [] as string[] };
  active.push(c);
  return {
    get count() { return c.n; },
    get statements() { return c.statements; },
    stop() {
      active = active.filter((x) => x !== c);
      return c.n;
    },
  };
}
