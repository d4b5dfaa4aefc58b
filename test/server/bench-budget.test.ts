/**
 * The server table's card budget (bench/server/floor-rows.ts): what the card goal leaves a card
 * in CPU µs once the two floors measured in the same run (the bare Hono POST, the store alone)
 * are paid, beside what the card's own work costs now.
 */
import { describe, expect, it } from 'vitest';
import { cardBudget, CARD_GOAL } from '../../bench/server/floor-rows.ts';
import type { Row, RowContext } from '../../bench/server/row.ts';

const table = (baselines: [string, number][]): RowContext => ({
  builds: [{ label: '' }], seconds: 1, connections: 32, quick: true,
  baselines: new Map(baselines), cleanups: [], log: () => undefined,
});

describe('the card budget row', () => {
  it('divides the bare route measured around the card row by the goal and subtracts both floors', async () => {
    // 35 µs a GET around the card row: 100 µs a card at 0.35 x; 60 POST + 30 store leaves 10, the card's own work is 40.
    const ctx = table([['cpu-hono', 50], ['cpu-hono-card', 35], ['cpu-hono-post', 60], ['cpu-node-post', 45], ['cpu-store', 30], ['cpu-card', 130]]);
    const row = (await cardBudget(ctx)) as Row;
    expect(CARD_GOAL).toBe(0.35);
    expect(row.figure).toBe("100 µs = bare Hono POST 60 (node:http alone 45) + store 30 + 10 left for picco's own work; this card's own work now 40 µs (130 µs a card)");
    expect(row.ratio).toBe('own work 4.0 x what is left');
  });

  it('takes the bare POST measured right after the card row over the one at the top of the table', async () => {
    const ctx = table([['cpu-hono-card', 35], ['cpu-hono-post', 80], ['cpu-hono-post-card', 60], ['cpu-store', 30], ['cpu-card', 130]]);
    expect(((await cardBudget(ctx)) as Row).figure).toMatch(/^100 µs = bare Hono POST 60 \+ store 30 \+ 10 left/);
  });

  it('says what it lacks when a floor was not measured', async () => {
    const row = (await cardBudget(table([['cpu-hono', 50], ['cpu-hono-post', 60]]))) as Row;
    expect(row.figure).toMatch(/n\/a: needs the bareHono and sqliteStore rows/);
  });

  it('shows a goal below the floors as out of reach, not as a ratio', async () => {
    const row = (await cardBudget(table([['cpu-hono', 57.5], ['cpu-hono-post', 119], ['cpu-store', 52], ['cpu-card', 220]]))) as Row;
    expect(row.figure).toContain('-7 left');
    expect(row.ratio).toBe('out of reach with these floors: they alone cost 7 µs more than 0.35 x allows');
  });
});
