/**
 * The PAN check, over everything the backend answered during the whole verification: no
 * response body or header may contain a full PAN that a request carried (masked forms such as
 * `************1234` are what the app expects). It runs after every other check, so each card a
 * check added is covered; it adds one card itself so the rule is tested even when the others
 * stopped early.
 *
 * @example
 * await panNeverEchoed.run(x);
 */
import { type Check, fail } from '../check.ts';
import type { Exchange } from '../client.ts';

const DIGITS = /\b\d{13,19}\b/g;

function luhn(pan: string): boolean {
  let sum = 0;
  for (let i = 0; i < pan.length; i++) {
    let d = pan.charCodeAt(pan.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Full PANs (Luhn-valid 13-19 digit runs) found in the requests. */
export function pansSent(exchanges: readonly Exchange[]): Set<string> {
  const out = new Set<string>();
  for (const e of exchanges) for (const m of (e.requestBody ?? '').matchAll(DIGITS)) if (luhn(m[0])) out.add(m[0]);
  return out;
}

export function panEchoes(exchanges: readonly Exchange[]): string[] {
  const pans = pansSent(exchanges);
  const found: string[] = [];
  for (const e of exchanges) {
    const where = `${e.responseText}\n${Object.values(e.responseHeaders).join('\n')}`;
    for (const p of pans) {
      if (where.includes(p)) {
        found.push(`${e.method} ${new URL(e.url).pathname.replace(/[0-9a-f]{64}/, '{hpan}').replace(/\/\d+(?=\/|$)/g, '/{id}')} (${e.status}, check ${e.check})`);
        break;
      }
    }
  }
  return [...new Set(found)];
}

export const panNeverEchoed: Check = {
  name: 'pan-never-echoed',
  rule: 'no response body or header ever contains a full PAN (only masked numbers)',
  async run({ c, subjects }) {
    const z = await subjects.citizen();
    try {
      await subjects.addCard(z);
    } catch {
      // The card flow failing is another check's finding; the echoes below are this one's.
    }
    const echoes = panEchoes(c.exchanges);
    if (pansSent(c.exchanges).size === 0) fail('no request carried a PAN, so the rule could not be tested');
    if (echoes.length > 0) fail(`the full PAN came back in ${echoes.join('; ')}`);
  },
};
