import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { Population, POPULATION_AT_SCALE_1, SHARES } from '../../scenarios/population.ts';
import {
  FISCAL_CODE_PATTERN, isFiscalCodeValid, isIbanValid, isLuhnValid, fiscalCodeCheckChar, luhnCheckDigit,
} from '../../scenarios/identity/check-digits.ts';
import { fiscalCodeCheckChar as serverCheckChar } from '../../reference-server/src/io/fiscal-code.ts';
import { isValidIban as serverIbanValid } from '../../reference-server/src/cashback/iban.ts';
import { luhnValid as serverLuhn } from '../../reference-server/src/wallet/card-number.ts';

describe('population', () => {
  it('has 6.5 M citizens at scale 1 and scales with --scale', () => {
    expect(new Population({ scale: 1, seed: 1 }).size).toBe(6_500_000);
    expect(POPULATION_AT_SCALE_1).toBe(6_500_000);
    expect(new Population({ scale: 0.01, seed: 1 }).size).toBe(65_000);
  });

  it('builds citizen i identically in two independent instances (any process)', () => {
    const a = new Population({ scale: 1, seed: 7 });
    const b = new Population({ scale: 1, seed: 7 });
    for (const i of [0, 1, 17, 123_456, 6_499_999]) {
      expect(a.identity(i)).toEqual(b.identity(i));
      expect(a.creditCard(i, 2)).toEqual(b.creditCard(i, 2));
      expect(a.iban(i)).toBe(b.iban(i));
      expect([a.device(i), a.creditCards(i), a.patience(i), a.bankAbi(i)]).toEqual([b.device(i), b.creditCards(i), b.patience(i), b.bankAbi(i)]);
    }
    expect(new Population({ scale: 1, seed: 8 }).identity(5).fiscalCode).not.toBe(a.identity(5).fiscalCode);
  });

  it('computes check characters the way the reference server checks them', () => {
    expect(fiscalCodeCheckChar('RSSMRA85T10A562')).toBe('S'); // the textbook example
    expect(isLuhnValid('4111111111111111')).toBe(true);
    expect(luhnCheckDigit('411111111111111')).toBe(1);
    expect(isIbanValid('IT60X0542811101000000123456')).toBe(true);
    const pop = new Population({ scale: 1, seed: 3 });
    for (let i = 0; i < 300; i++) {
      const cf = pop.identity(i * 21_011).fiscalCode;
      expect(serverCheckChar(cf.slice(0, 15))).toBe(cf[15]);
      expect(serverLuhn(pop.creditCard(i, i % 3, 'x').pan)).toBe(true);
      expect(serverIbanValid(pop.iban(i))).toBe(true);
    }
  });

  it('produces valid fiscal codes, PANs and IBANs, and invalid ones for typos', () => {
    const pop = new Population({ scale: 1, seed: 1 });
    for (let i = 0; i < 2_000; i += 1) {
      const id = pop.identity(i * 3_203);
      expect(FISCAL_CODE_PATTERN.test(id.fiscalCode)).toBe(true);
      expect(isFiscalCodeValid(id.fiscalCode)).toBe(true);
      const card = pop.creditCard(i, 1, 'h');
      expect(isLuhnValid(card.pan)).toBe(true);
      expect(card.pan).toMatch(/^[45][0-9]{15}$/);
      expect(isLuhnValid(pop.mistypedPan(i, 0))).toBe(false);
      const iban = pop.iban(i * 977);
      expect(iban).toHaveLength(27);
      expect(isIbanValid(iban)).toBe(true);
      expect(isIbanValid(pop.mistypedIban(i * 977))).toBe(false);
    }
  });

  it('never gives two citizens (or two cards) the same fiscal code, PAN or IBAN', () => {
    const pop = new Population({ scale: 1, seed: 1 });
    const cfs = new Set<string>();
    const pans = new Set<string>();
    const ibans = new Set<string>();
    // a contiguous block (neighbours share the most structure) and a stride across the population
    const sample = [...Array.from({ length: 20_000 }, (_, k) => k), ...Array.from({ length: 20_000 }, (_, k) => 20_000 + k * 323)];
    for (const i of sample) {
      cfs.add(pop.identity(i).fiscalCode);
      ibans.add(pop.iban(i));
      for (let k = 0; k < 3; k++) pans.add(pop.creditCard(i, k, 'h').pan);
    }
    expect(cfs.size).toBe(sample.length);
    expect(ibans.size).toBe(sample.length);
    expect(pans.size).toBe(sample.length * 3);
  });

  it('PANs stay unique over every citizen and card index of the population (checked on the account part)', () => {
    // the account digits are a bijection of citizen * 16 + card: checked over 2 M indices at once
    const pop = new Population({ scale: 1, seed: 5 });
    const seen = new Uint8Array(1_000_000_000 / 8);
    let dup = 0;
    for (let i = 6_375_000; i < 6_500_000; i++) {
      for (let k = 0; k < 16; k++) {
        const acct = Number(pop.creditCard(i, k, 'h').pan.slice(6, 15));
        const byte = acct >> 3;
        const bit = 1 << (acct & 7);
        if (seen[byte]! & bit) dup++;
        seen[byte] = seen[byte]! | bit;
      }
    }
    expect(dup).toBe(0);
  });

  it('holds the configured shares over any contiguous range of citizens', () => {
    const pop = new Population({ scale: 1, seed: 2 });
    for (const [start, n] of [[0, 1_000], [4_250_000, 5_000], [6_000_000, 50_000]] as const) {
      let ios = 0;
      let cards = 0;
      let typo = 0;
      for (let i = start; i < start + n; i++) {
        ios += pop.device(i) === 'ios' ? 1 : 0;
        cards += pop.creditCards(i);
        typo += pop.typoCard(i) ? 1 : 0;
      }
      expect(ios / n).toBeCloseTo(SHARES.ios, 2);
      expect(cards / n).toBeCloseTo(1 + SHARES.cards2 + 2 * SHARES.cards3, 1);
      expect(Math.abs(typo / n - SHARES.typo)).toBeLessThan(0.005);
    }
  });

  it('keeps nothing per citizen resident (memory per citizen at 6.5 M printed)', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as (() => void) | undefined;
    gc?.();
    const before = process.memoryUsage();
    const pop = new Population({ scale: 1, seed: 1 });
    let acc = 0;
    for (let i = 0; i < pop.size; i += 13) acc += pop.creditCards(i) + pop.patience(i) + (pop.hasPagoBancomat(i) ? 1 : 0);
    for (let i = 0; i < 5_000; i++) acc += pop.identity(i * 1_300).fiscalCode.length;
    gc?.();
    const after = process.memoryUsage();
    const perCitizen = Math.max(0, after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / pop.size;
    console.log(`population: ${pop.size} citizens, resident ${perCitizen.toFixed(3)} bytes/citizen (heap+arrayBuffers delta after touching every 13th citizen${gc ? ', after gc' : ''})`);
    expect(acc).toBeGreaterThan(0);
    expect(perCitizen).toBeLessThan(200);
  });
});
