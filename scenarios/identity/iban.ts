/**
 * Italian IBANs (27 characters) valid for mod-97 and for the BBAN CIN, unique per citizen:
 * IT + check(2) + CIN(1) + ABI(5) + CAB(5) + account(12), the account being the citizen index
 * plus a seed offset, so no two citizens share an IBAN.
 *
 * @example
 * iban(42, '03069', 1) // → 'IT..X03069.....000000…'
 */
import { ibanCheckDigits, italianCin } from './check-digits.ts';

const ACCOUNT_SPACE = 1_000_000_000_000;

export function iban(citizen: number, abi: string, seed: number): string {
  const cab = String(10_000 + ((citizen * 7_919) % 89_999)).padStart(5, '0');
  const account = String((citizen + (seed % 1_000_000) * 1_000_003) % ACCOUNT_SPACE).padStart(12, '0');
  const body = abi + cab + account;
  const bban = italianCin(body) + body;
  return `IT${ibanCheckDigits('IT', bban)}${bban}`;
}

/** Two adjacent characters swapped (the commonest typing error), caught by mod-97. */
export function ibanWithTypo(value: string): string {
  // swap two different digits of the account part
  for (let p = value.length - 2; p > 15; p--) {
    if (value[p] !== value[p + 1]) return value.slice(0, p) + value[p + 1]! + value[p]! + value.slice(p + 2);
  }
  return value.slice(0, 5) + (value[5] === '9' ? '0' : '9') + value.slice(6);
}
