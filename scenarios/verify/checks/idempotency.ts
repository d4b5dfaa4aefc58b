/**
 * Idempotency-Key, where offered. The app pressed "riprova" after a 16 s timeout, so a card
 * addition could reach the PM twice; with the same Idempotency-Key the repeat must get the
 * first answer, not a 422 for the card the first attempt created.
 *
 * The probe makes the difference visible: step 1 (POST /v1/wallet/cc) with a key, then the
 * card is verified (steps 2 and 3), then step 1 again with the same key. Without idempotency
 * that repeat is 422 creditcard.already_exists; honoured, it is the first answer again (same
 * status, same idWallet). Offered means: the contract declares the header on POST
 * /v1/wallet/cc, or the backend replays. Declared but not honoured fails; neither declared nor
 * replayed is skipped. The same key with a different card must not get the first answer.
 *
 * @example
 * await idempotencyKey.run(x);
 */
import { data, pm } from '../../journeys/app-client.ts';
import { checkout3ds } from '../../journeys/add-card.ts';
import { type Check, CheckSkipped, describe, fail } from '../check.ts';

export const idempotencyKey: Check = {
  name: 'idempotency-key-honoured',
  rule: 'a request repeated with the same Idempotency-Key gets the first answer (POST /v1/wallet/cc: same idWallet, not 422)',
  async run({ c, subjects, contract }) {
    const declared = contract.idempotentOperations().some((o) => o.method === 'POST' && /\/v1\/wallet\/cc$/.test(o.path));
    const z = await subjects.citizen();
    const key = `picco-verify-${z.index}-${Math.floor(c.random() * 1e9)}`;
    const send = (k: number) =>
      c.request({
        origin: 'pm', method: 'POST', path: '/v1/wallet/cc', endpoint: 'POST /v1/wallet/cc',
        headers: { authorization: `Bearer ${z.s.pm}`, 'content-type': 'application/json', 'idempotency-key': key },
        body: subjects.cardBody(z, k), expect: [200, 201, 409, 422],
      });
    const first = await send(0);
    const id1 = data(first)?.['idWallet'];
    if ((first.status !== 200 && first.status !== 201) || id1 === undefined) fail(`POST /v1/wallet/cc with an Idempotency-Key ${describe(first)}, expected 200 or 201 with an idWallet`);
    const card = subjects.pop.creditCard(z.index, 0);
    const pay = await pm(c, z.s, { method: 'POST', path: '/v1/payments/cc/actions/pay', endpoint: 'POST /v1/payments/cc/actions/pay', body: JSON.stringify({ data: { idWallet: id1, tipo: 'web', cvv: card.securityCode } }) });
    const url = data(pay)?.['urlCheckout3ds'];
    if (typeof url !== 'string' || !(await checkout3ds(c, z.s, url))) fail(`the card could not be verified (pay ${describe(pay)}, then 3DS), so the repeat cannot be told apart`);
    const second = await send(0);
    const replayed = second.status === first.status && data(second)?.['idWallet'] === id1;
    if (!replayed) {
      if (!declared) throw new CheckSkipped(`not offered: the contract does not declare Idempotency-Key on POST /v1/wallet/cc and the backend did not replay (the repeat ${describe(second)})`);
      fail(`POST /v1/wallet/cc repeated with the same Idempotency-Key after the card was verified ${describe(second)}, expected the first answer again (${first.status}, idWallet ${String(id1)})`);
    }
    const other = await send(1);
    if (other.status < 400 && data(other)?.['idWallet'] === id1) fail("a different card sent with a used Idempotency-Key got the first card's answer, expected a 4xx (key reused with another request)");
  },
};
