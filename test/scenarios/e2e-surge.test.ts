/**
 * The 7 Dec surge at a small scale, end to end: the wallets citizens had before the update are
 * preloaded, then the window 18:20-18:28 (ramping into the 8,000/s peak, × 0.0005 × speed 30)
 * runs against the embedded reference server: updaters re-add their hidden cards and meet 422,
 * enroll and enable them; joiners add cards and enroll; the "riprova" presses meet 422.
 *
 * Tolerance: the embedded server's admission control (issue 7) sheds writes with 503 when this
 * shared 2-core box is busy, which is the server's business, not the scenario's: it is turned off
 * here (PICCO_ADMISSION=off, inherited by the embedded server). What remains is timing: a card
 * whose 3DS step is slow may still be unverified when a press re-submits it, so the press adds
 * it instead of meeting 422. Each outcome is held to its plan within 5 % (at least 1), and the
 * preload and press outcomes are compared as sums across their labels.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { near, picco, summary } from './run-picco.ts';

describe('7 Dec surge, end to end at scale 0.0005', () => {
  it('meets 422 on re-adds and presses, enrolls and enables what the plan predicts', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'picco-surge-')), 'run');
    const args = ['december-2020@7dec18:20', '--scale', '0.0005', '--speed', '30', '--duration', '24s'];
    const plan = await picco(['plan', ...args, '--json']);
    expect(plan.code).toBe(0);
    const expected = (JSON.parse(plan.stdout) as { expected: Record<string, number> }).expected;
    const r = await picco(['run', ...args, '--out', out, '--quiet', '--max-lag', '1000'], { PICCO_ADMISSION: 'off' });
    // the launch SLOs are judged too (99 when the shared box is slow); this test is about outcomes
    expect([0, 99], r.stderr).toContain(r.code);
    const s = summary(out);
    expect(s.expected).toEqual(expected);
    const o = (k: string) => s.outcomes[k] ?? 0;
    console.log(`surge: expected ${JSON.stringify(Object.fromEntries(Object.entries(expected).filter(([k]) => !k.startsWith('launch.'))))}`);
    console.log(`surge: outcomes ${JSON.stringify(s.outcomes)}`);

    expect(expected.card_422_on_readd).toBeGreaterThan(0);
    expect(expected.card_422_on_retry).toBeGreaterThan(100);
    expect(near(o('card_422_on_readd') + o('card_readded'), expected.card_422_on_readd!, 0.05)).toBe(true);
    expect(o('card_422_on_readd')).toBeGreaterThanOrEqual(Math.floor(expected.card_422_on_readd! * 0.9));
    expect(near(o('enrollments'), expected.enrollments!, 0.05)).toBe(true);
    // the release raised min_app_version: every updater still on 1.11 was forced
    expect(o('update_released')).toBe(1);
    expect(o('update_forced')).toBe(expected.update_forced);
    expect(o('update_voluntary')).toBe(expected.update_voluntary ?? 0);
    expect(near(o('cards_added'), expected.cards_added!, 0.05)).toBe(true);
    expect(near(o('card_422_on_retry') + o('card_added_on_retry'), expected.card_422_on_retry!, 0.05)).toBe(true);
    expect(near(o('preload_cards_added') + o('card_added_on_retry'), expected.preload_cards_added!, 0.05)).toBe(true);
    // PagoBancomat found is up to the target's processors: instruments within the plan's ± 1 card per joiner
    expect(Math.abs(o('instruments_enabled') - expected.instruments_enabled!)).toBeLessThanOrEqual(Math.max(2, expected.enrollments!));
  }, 150_000);
});
