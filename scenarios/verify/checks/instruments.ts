/**
 * Cashback instrument checks: one active owner per HPAN (409 for anyone else, "non
 * attivabile" in the app) and enrolment before enabling (403 user.not-enabled.error).
 *
 * @example
 * await hpanOwned.run(x);
 */
import { type Check, describe, errorCode, fail } from '../check.ts';

export const hpanOwned: Check = {
  name: 'hpan-owned-409',
  rule: 'enabling cashback on an HPAN active for another citizen answers 409, and reading it answers 409',
  async run({ subjects }) {
    const a = await subjects.citizen();
    await subjects.enroll(a);
    const card = await subjects.addCard(a);
    const first = await subjects.enable(a, card.hpan);
    if (first.status !== 200) fail(`PUT /bpd/io/payment-instruments/{hpan} by the card's owner ${describe(first)}, expected 200`);
    const b = await subjects.citizen();
    await subjects.enroll(b);
    const second = await subjects.enable(b, card.hpan);
    if (second.status !== 409) fail(`PUT /bpd/io/payment-instruments/{hpan} by a second citizen while it is active for the first ${describe(second)}, expected 409`);
    const read = await subjects.instrument(b, card.hpan);
    if (read.status !== 409) fail(`GET /bpd/io/payment-instruments/{hpan} by a second citizen ${describe(read)}, expected 409`);
    const owner = await subjects.instrument(a, card.hpan);
    if (owner.status !== 200) fail(`the owner's GET /bpd/io/payment-instruments/{hpan} ${describe(owner)} after a second citizen's attempt, expected 200`);
  },
};

export const notEnrolled: Check = {
  name: 'not-enrolled-403',
  rule: 'enabling cashback on an instrument before joining cashback answers 403 user.not-enabled.error',
  async run({ subjects }) {
    const z = await subjects.citizen();
    const card = await subjects.addCard(z);
    const r = await subjects.enable(z, card.hpan);
    if (r.status !== 403 || !errorCode(r).includes('user.not-enabled.error')) {
      fail(`PUT /bpd/io/payment-instruments/{hpan} by a citizen not enrolled ${describe(r)}, expected 403 user.not-enabled.error`);
    }
  },
};
