/**
 * Cashback citizen checks: the IBAN outcomes and the opt-out cascade.
 *
 * IBAN: an invalid IBAN (mod-97) is 400 and stores nothing; a valid one is 200 with
 * validationStatus OK (saved), KO (not owned by the citizen: not saved) or UNKNOWN_PSP (the bank
 * cannot say: saved). Which of OK / KO / UNKNOWN_PSP a vendor's bank check returns is theirs to
 * decide; that the answer and the stored IBAN agree is checked. Opt-out: DELETE /bpd/io/citizen
 * disables the citizen, clears the IBAN and deactivates every instrument, so the HPAN is free for
 * another citizen and the first one can no longer enable it.
 *
 * @example
 * await ibanOutcomes.run(x);
 */
import { bpd, profile } from '../../journeys/app-client.ts';
import { type Check, type Citizen, describe, fail } from '../check.ts';
import type { VerifyClient } from '../client.ts';

function patchIban(c: VerifyClient, z: Citizen, iban: string) {
  return bpd(c, z.s, {
    method: 'PATCH',
    path: '/bpd/io/citizen',
    endpoint: 'PATCH /bpd/io/citizen',
    body: JSON.stringify({ payoffInstr: iban, payoffInstrType: 'IBAN', accountHolderCF: z.id.fiscalCode, accountHolderName: z.id.name, accountHolderSurname: z.id.familyName }),
    expect: [200, 400],
  });
}

function getCitizen(c: VerifyClient, z: Citizen) {
  return bpd(c, z.s, { method: 'GET', path: '/bpd/io/citizen', endpoint: 'GET /bpd/io/citizen', expect: [200, 404] });
}

export const ibanOutcomes: Check = {
  name: 'iban-outcomes',
  rule: 'PATCH /bpd/io/citizen: an invalid IBAN is 400 and stores nothing; a valid one is 200 with validationStatus OK / KO / UNKNOWN_PSP, saved unless KO',
  async run({ c, subjects }) {
    const z = await subjects.citizen();
    await subjects.enroll(z);
    await profile(c, z.s.io);
    const bad = await patchIban(c, z, subjects.pop.mistypedIban(z.index));
    if (bad.status !== 400) fail(`PATCH /bpd/io/citizen with an invalid IBAN (mod-97 fails) ${describe(bad)}, expected 400`);
    const before = await getCitizen(c, z);
    if ((before.json as { payoffInstr?: unknown } | undefined)?.payoffInstr) fail('an IBAN rejected with 400 was stored (GET /bpd/io/citizen shows a payoffInstr)');
    const iban = subjects.pop.iban(z.index);
    const good = await patchIban(c, z, iban);
    const status = (good.json as { validationStatus?: unknown } | undefined)?.validationStatus;
    if (good.status !== 200 || (status !== 'OK' && status !== 'KO' && status !== 'UNKNOWN_PSP')) {
      fail(`PATCH /bpd/io/citizen with a valid IBAN ${describe(good)}${good.status === 200 ? ` with validationStatus ${JSON.stringify(status)}` : ''}, expected 200 with OK, KO or UNKNOWN_PSP`);
    }
    c.count(`iban_${String(status).toLowerCase()}`);
    const after = await getCitizen(c, z);
    const stored = (after.json as { payoffInstr?: unknown } | undefined)?.payoffInstr;
    const saved = typeof stored === 'string' && stored !== '' && (stored === iban || stored.slice(-4) === iban.slice(-4));
    if (status === 'KO' && saved) fail('an IBAN answered KO (not owned by the citizen) was stored');
    if (status !== 'KO' && !saved) fail(`an IBAN answered ${String(status)} was not stored (GET /bpd/io/citizen ${describe(after)})`);
  },
};

export const citizenCascade: Check = {
  name: 'citizen-delete-cascade',
  rule: 'DELETE /bpd/io/citizen disables the citizen, clears the IBAN and deactivates every instrument (the HPAN is free again)',
  async run({ c, subjects }) {
    const a = await subjects.citizen();
    await subjects.enroll(a);
    await patchIban(c, a, subjects.pop.iban(a.index));
    const card = await subjects.addCard(a);
    const en = await subjects.enable(a, card.hpan);
    if (en.status !== 200) fail(`PUT /bpd/io/payment-instruments/{hpan} by its owner ${describe(en)}, expected 200`);
    const del = await bpd(c, a.s, { method: 'DELETE', path: '/bpd/io/citizen', endpoint: 'DELETE /bpd/io/citizen', expect: [200, 204] });
    if (del.status !== 204 && del.status !== 200) fail(`DELETE /bpd/io/citizen ${describe(del)}, expected 204`);
    const after = await getCitizen(c, a);
    const cj = after.json as { enabled?: unknown; payoffInstr?: unknown } | undefined;
    if (after.status === 200 && (cj?.enabled === true || (typeof cj?.payoffInstr === 'string' && cj.payoffInstr !== ''))) {
      fail('after DELETE /bpd/io/citizen the citizen is still enabled or keeps the IBAN');
    }
    const inst = await subjects.instrument(a, card.hpan);
    const active = inst.status === 200 && (inst.json as { Status?: unknown } | undefined)?.Status === 'ACTIVE';
    if (active) fail('after DELETE /bpd/io/citizen the instrument is still ACTIVE');
    const again = await subjects.enable(a, card.hpan);
    if (again.status !== 403) fail(`after DELETE /bpd/io/citizen, enabling the instrument ${describe(again)}, expected 403 user.not-enabled.error`);
    const b = await subjects.citizen();
    await subjects.enroll(b);
    const taken = await subjects.enable(b, card.hpan);
    if (taken.status !== 200) fail(`after the first citizen opted out, another citizen enabling the same HPAN ${describe(taken)}, expected 200 (the cascade should have released it)`);
  },
};
