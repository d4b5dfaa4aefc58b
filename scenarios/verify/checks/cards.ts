/**
 * Card checks: the PM's duplicate rule and one citizen's wallet closed to another.
 * A duplicate is the citizen's own verified card added again: the app showed "La carta che stai
 * inserendo è già presente" on 422 `creditcard.already_exists` and stopped, so anything else
 * (a second wallet, a 5xx) broke the 7 Dec re-add wave.
 *
 * @example
 * await duplicateCard.run(x);
 */
import { pm } from '../../journeys/app-client.ts';
import { parseWallet } from '../../journeys/open-wallet.ts';
import { type Check, describe, errorCode, fail } from '../check.ts';

export const duplicateCard: Check = {
  name: 'duplicate-card-422',
  rule: 'adding a card the citizen already has answers 422 creditcard.already_exists and creates nothing',
  async run({ c, subjects }) {
    const a = await subjects.citizen();
    await subjects.addCard(a);
    const r = await pm(c, a.s, { method: 'POST', path: '/v1/wallet/cc', endpoint: 'POST /v1/wallet/cc', body: subjects.cardBody(a), expect: [422] });
    if (r.status !== 422 || !errorCode(r).includes('creditcard.already_exists')) {
      fail(`the second POST /v1/wallet/cc of the same card ${describe(r)}, expected 422 creditcard.already_exists`);
    }
  },
};

export const crossCitizen: Check = {
  name: 'other-citizen-data-unreachable',
  rule: "a citizen's token never reads, changes or deletes another citizen's wallet or instruments",
  async run({ c, subjects }) {
    const a = await subjects.citizen();
    await subjects.enroll(a);
    const card = await subjects.addCard(a);
    const en = await subjects.enable(a, card.hpan);
    if (en.status !== 200) fail(`PUT /bpd/io/payment-instruments/{hpan} by its owner ${describe(en)}, expected 200`);
    const b = await subjects.citizen();
    const wb = await subjects.wallet(b);
    const listed = JSON.stringify(wb.json ?? '');
    if (listed.includes(card.hpan)) fail("GET /v2/wallet with another citizen's token lists the first citizen's card");
    const del = await pm(c, b.s, { method: 'DELETE', path: `/v1/wallet/${card.idWallet}`, endpoint: 'DELETE /v1/wallet/{id}', expect: [403, 404] });
    if (del.status >= 200 && del.status < 300) fail(`DELETE /v1/wallet/{id} of another citizen's card ${describe(del)}, expected 403 or 404`);
    const st = await subjects.instrument(b, card.hpan);
    if (st.status === 200) fail(`GET /bpd/io/payment-instruments/{hpan} of another citizen's active card ${describe(st)}, expected 409`);
    const off = await c.request({ origin: 'bpd', method: 'DELETE', path: `/bpd/io/payment-instruments/${card.hpan}`, endpoint: 'DELETE /bpd/io/payment-instruments/{hpan}', headers: { authorization: `Bearer ${b.s.bpd}` }, expect: [403, 404, 409] });
    if (off.status >= 200 && off.status < 300) fail(`DELETE /bpd/io/payment-instruments/{hpan} of another citizen's card ${describe(off)}, expected 409`);
    const wa = await subjects.wallet(a);
    if (!parseWallet(((wa.json as { data?: unknown })?.data as Record<string, unknown>[]) ?? []).some((w) => w.idWallet === card.idWallet)) {
      fail("the first citizen's card disappeared from GET /v2/wallet after another citizen tried to delete it");
    }
    const again = await subjects.instrument(a, card.hpan);
    if (again.status !== 200) fail(`the owner's GET /bpd/io/payment-instruments/{hpan} ${describe(again)} after another citizen tried to disable it, expected 200 ACTIVE`);
  },
};
