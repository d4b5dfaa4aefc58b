/**
 * The server table's bracketed baseline (bench/server/row.ts): a row's ratio divides by the bare
 * Hono route measured right before and right after it, and the table's own baseline is untouched.
 */
import { describe, expect, it } from 'vitest';
import { bracketed, ratiosTo, type RowContext } from '../../bench/server/row.ts';

const table = (probe?: RowContext['probeHono']): RowContext => ({
  builds: [{ label: '' }], seconds: 1, connections: 1, quick: true,
  baselines: new Map([['hono', 1000], ['cpu-hono', 30]]), cleanups: [], log: () => undefined,
  ...(probe !== undefined ? { probeHono: probe } : {}),
});

describe('bracketed baseline of the server table', () => {
  it('divides by the mean of the bare route measured before and after the row, in order', async () => {
    const order: string[] = [];
    const probes = [{ rate: 400, cpuUsPerRequest: 40 }, { rate: 600, cpuUsPerRequest: 20 }];
    const ctx = table(async () => { order.push('probe'); return probes.shift()!; });
    const { value, ctx: around, bracket } = await bracketed(ctx, async () => { order.push('row'); return 150; });
    expect(order).toEqual(['probe', 'row', 'probe']);
    expect(value).toBe(150);
    expect(ratiosTo(around, 'hono', 'bare Hono', 150, 100)).toBe('0.30 x bare Hono; CPU per request 0.30 x');
    expect(bracket).toContain('400 / 600 rps');
    // the table's baseline stays for the rows that follow
    expect(ratiosTo(ctx, 'hono', 'bare Hono', 150, 100)).toBe('0.15 x bare Hono; CPU per request 0.30 x');
  });

  it('without a probe (the bare row not in the table) keeps the table-wide baseline', async () => {
    const ctx = table();
    const { ctx: around, bracket } = await bracketed(ctx, async () => 1);
    expect(around).toBe(ctx);
    expect(bracket).toBe('');
  });
});
