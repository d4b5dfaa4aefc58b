/**
 * The hand-written check of card bodies (POST /v1/wallet/cc's fast path) never accepts what the
 * zod schema refuses, and reads the fields zod would read.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { plainlyValidCard, walletRequestSchema } from '../../reference-server/src/wallet/add-card.ts';

const field = (valid: fc.Arbitrary<unknown>) => fc.oneof(valid, fc.string({ maxLength: 30 }), fc.integer(), fc.constant(null), fc.constant(undefined), fc.constant(''));
const card = fc.record({
  pan: field(fc.stringMatching(/^[0-9]{14,20}$/)),
  holder: field(fc.oneof(fc.constant('Mario Rossi'), fc.constant('  '), fc.constant(' Mario '), fc.string({ minLength: 120, maxLength: 140 }))),
  expireMonth: field(fc.constantFrom('00', '01', '09', '10', '12', '13', '1')),
  expireYear: field(fc.constantFrom('30', '3', '300', 'ab')),
  securityCode: field(fc.constantFrom('123', '1234', '12', '12345', '12a')),
}, { requiredKeys: [] });
const body = fc.oneof(
  fc.record({ data: fc.record({ type: fc.constantFrom('CREDIT_CARD', 'X', 1), favourite: fc.oneof(fc.boolean(), fc.constant('true')), creditCard: fc.oneof(card, fc.constant([]), fc.constant(null)) }, { requiredKeys: ['type', 'creditCard'] }) }),
  fc.jsonValue(),
);

describe('card body fast path', () => {
  it('accepts only bodies the zod schema accepts, with the same card fields', () => {
    fc.assert(fc.property(body, (raw) => {
      const fast = plainlyValidCard(raw);
      const slow = walletRequestSchema.safeParse(raw);
      if (fast !== undefined) {
        expect(slow.success).toBe(true);
        if (slow.success) {
          const { pan, holder, expireMonth, expireYear, securityCode } = slow.data.data.creditCard;
          const f = fast.data.creditCard;
          expect([f.pan, f.holder, f.expireMonth, f.expireYear, f.securityCode, fast.data.favourite])
            .toEqual([pan, holder, expireMonth, expireYear, securityCode, slow.data.data.favourite]);
        }
      }
    }), { numRuns: 3000 });
  });

  it('takes the common valid body itself', () => {
    const raw = { data: { type: 'CREDIT_CARD', favourite: false, creditCard: { pan: '4242424242424242', holder: 'Mario Rossi', expireMonth: '12', expireYear: '30', securityCode: '123' } } };
    expect(plainlyValidCard(raw)?.data.creditCard.pan).toBe('4242424242424242');
  });
});
