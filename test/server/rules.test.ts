import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fiscalCodeCheckChar, isValidFiscalCode } from '../../reference-server/src/io/fiscal-code.ts';
import { cardBrand, hashPan, isExpired, luhnCheckDigit, luhnValid, maskPan } from '../../reference-server/src/wallet/card-number.ts';
import { ibanWithCheckDigits, isValidIban, normalizeIban } from '../../reference-server/src/cashback/iban.ts';
import { computeAward, periodById, periodOfDay, periodStatus, transactionCashbackCents } from '../../reference-server/src/cashback/award-periods.ts';

const P1 = periodById(1)!; // eslint-disable-line @typescript-eslint/no-non-null-assertion

describe('fiscal code', () => {
  it('accepts well-known valid codes and checks the control character', () => {
    expect(isValidFiscalCode('RSSMRA80A01H501U')).toBe(true);
    expect(isValidFiscalCode('rssmra80a01h501u')).toBe(true);
    expect(isValidFiscalCode('RSSMRA80A01H501A')).toBe(false);
    expect(isValidFiscalCode('RSSMRA80A01H50')).toBe(false);
    expect(fiscalCodeCheckChar('MRTMTT91D08F205')).toBe('J');
  });
});

describe('card numbers', () => {
  it('checks Luhn and completes any prefix to a valid number', () => {
    expect(luhnValid('4242424242424242')).toBe(true);
    expect(luhnValid('4242424242424241')).toBe(false);
    fc.assert(fc.property(fc.stringMatching(/^[0-9]{14,18}$/), (body) => luhnValid(body + luhnCheckDigit(body))));
  });
  it('names brands, masks, hashes with the salt and knows when a card has expired', () => {
    expect(cardBrand('4111111111111111')).toBe('VISA');
    expect(cardBrand('5500000000000004')).toBe('MASTERCARD');
    expect(cardBrand('340000000000009')).toBe('AMEX');
    expect(maskPan('4242424242424242')).toBe('************4242');
    expect(hashPan('4242424242424242', 's')).toMatch(/^[0-9a-f]{64}$/);
    expect(hashPan('4242424242424242', 's')).not.toBe(hashPan('4242424242424242', 't'));
    const dec2020 = new Date('2020-12-07T00:00:00Z');
    expect(isExpired('11', '20', dec2020)).toBe(true);
    expect(isExpired('12', '20', dec2020)).toBe(false);
    expect(isExpired('01', '19', dec2020)).toBe(true);
    expect(isExpired('01', '21', dec2020)).toBe(false);
  });
});

describe('IBAN', () => {
  it('accepts valid IBANs (mod 97) and refuses bad checksums and Italian lengths', () => {
    expect(isValidIban(normalizeIban('IT60 X054 2811 1010 0000 0123 456'))).toBe(true);
    expect(isValidIban('IT61X0542811101000000123456')).toBe(false);
    expect(isValidIban('IT60X054281110100000012345')).toBe(false);
    expect(isValidIban('DE89370400440532013000')).toBe(true);
    fc.assert(fc.property(fc.stringMatching(/^[A-Z][0-9]{22}$/), (bban) => isValidIban(ibanWithCheckDigits('IT', bban))));
  });
});

describe('cashback rules', () => {
  it('gives 10 % per transaction capped at 15 EUR, negative for a refund', () => {
    expect(transactionCashbackCents(P1, 4000, '00')).toBe(400);
    expect(transactionCashbackCents(P1, 30000, '00')).toBe(1500);
    expect(transactionCashbackCents(P1, 1234, '01')).toBe(-123);
  });
  it('pays only from the minimum number of transactions, capped at 150 EUR a period', () => {
    expect(computeAward(P1, 13500, 9)).toEqual({ eligible: false, cashbackCents: 13500, awardCents: 0 });
    expect(computeAward(P1, 14800, 10)).toEqual({ eligible: true, cashbackCents: 14800, awardCents: 14800 });
    expect(computeAward(P1, 20000, 40).awardCents).toBe(15000);
    const p2 = periodById(2)!; // eslint-disable-line @typescript-eslint/no-non-null-assertion
    expect(computeAward(p2, 20000, 60, 5).awardCents).toBe(15000 + 150000);
  });
  it('knows the December 2020 period and its status by date', () => {
    expect(periodOfDay('2020-12-08')?.awardPeriodId).toBe(1);
    expect(periodOfDay('2020-12-07')).toBeUndefined();
    expect(periodStatus(P1, '2020-12-07')).toBe('INACTIVE');
    expect(periodStatus(P1, '2020-12-31')).toBe('ACTIVE');
    expect(periodStatus(P1, '2021-01-01')).toBe('CLOSED');
  });
});
