/**
 * Idempotency-Key, where the contract offers it. The app pressed "riprova" after a timeout, so a
 * card addition could reach the PM twice; with the same Idempotency-Key the second request must
 * get the first one's answer (same status, same wallet), not a second wallet and not a 422.
 * Checked on POST /v1/wallet/cc, the call of the 7 Dec surge; skipped when the contract does
 * not offer the header there.
 *
 * @example
 * await idempotencyKey.run(x);
 */
import { pm, data } from '../../../scenarios/journeys/app-client.ts';
import { type Check, CheckSkipped, describe, fail } from '../check.ts';

export const idempotencyKey: Check = {
  name: 'idempotency-key-honoured',
  rule: 'a request repeated with the same Idempotency-Key gets the first answer (POST /v1/wallet/cc: same idWallet, no 422)',
  async run({ c, subjects, contract }) {
    const offered = contract.idempotentOperations();
    if (!offered.some((o) => o.method === 'POST' && /\/v1\/wallet\/cc$/.test(o.path))) {
      throw new CheckSkipped(offered.length === 0 ? 'the contract offers no Idempotency-Key' : `Idempotency-Key is offered on ${offered.map((o) => `${o.method} ${o.path}`).join(', ')}, not on POST /v1/wallet/cc`);
    }
    const z = await subjects.citizen();
    const key = `picco-verify-${z.index}-${Math.floor(c.random() * 1e9)}`;
    const send = () =>
      c.request({
        api: 'pm', method: 'POST', path: '/v1/wallet/cc', endpoint: 'POST /v1/wallet/cc',
        headers: { authorization: `Bearer ${z.s.pm}`, 'content-type': 'application/json', 'idempotency-key': key },
        body: subjects.cardBody(z), expect: [200, 201],
      });
    const first = await send();
    if (first.status !== 200 && first.status !== 201) fail(`POST /v1/wallet/cc with an Idempotency-Key ${describe(first)}, expected 201`);
    const second = await send();
    const id1 = data(first)?.['idWallet'];
    const id2 = data(second)?.['idWallet'];
    if (second.status !== first.status || id1 !== id2) {
      fail(`POST /v1/wallet/cc repeated with the same Idempotency-Key ${describe(second)}${id2 !== undefined ? ` with idWallet ${String(id2)}` : ''}, expected the first answer again (${first.status}, idWallet ${String(id1)})`);
    }
    // Same key, different body: a replay must not answer for a request it did not see.
    const other = await c.request({
      api: 'pm', method: 'POST', path: '/v1/wallet/cc', endpoint: 'POST /v1/wallet/cc',
      headers: { authorization: `Bearer ${z.s.pm}`, 'content-type': 'application/json', 'idempotency-key': key },
      body: subjects.cardBody(z, 1), expect: [409, 422, 400],
    });
    if (other.status < 400 && data(other)?.['idWallet'] === id1) fail('a different card sent with a used Idempotency-Key got the first card\'s answer, expected a 4xx (key reused with another request)');
    void pm;
  },
};
