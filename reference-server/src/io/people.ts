/**
 * The profile behind a fiscal code. SPID is out of scope, so there is no identity provider to
 * ask: name, surname and email are derived from a hash of the fiscal code (stable across runs
 * and processes, no storage needed) and stored at first login. Every user has a validated
 * email, so the payment manager session can always start (the real PM refused users without one).
 */
import { createHash } from 'node:crypto';
import type { UserRecord } from '../storage/storage.ts';

const NAMES = ['Mario', 'Giulia', 'Luca', 'Francesca', 'Marco', 'Chiara', 'Andrea', 'Sara', 'Giuseppe', 'Anna',
  'Alessandro', 'Martina', 'Matteo', 'Elena', 'Lorenzo', 'Valentina', 'Davide', 'Alessia', 'Simone', 'Federica'];
const SURNAMES = ['Rossi', 'Russo', 'Ferrari', 'Esposito', 'Bianchi', 'Romano', 'Colombo', 'Ricci', 'Marino', 'Greco',
  'Bruno', 'Gallo', 'Conti', 'De Luca', 'Mancini', 'Costa', 'Giordano', 'Rizzo', 'Lombardi', 'Moretti'];

export function profileFor(fiscalCode: string, now: Date): UserRecord {
  const h = createHash('sha256').update(`picco-profile:${fiscalCode}`).digest();
  const name = NAMES[(h[0] as number) % NAMES.length] as string;
  const familyName = SURNAMES[(h[1] as number) % SURNAMES.length] as string;
  const tag = h.subarray(2, 6).toString('hex');
  return {
    fiscalCode, name, familyName,
    email: `${name}.${familyName.replace(/\s/g, '')}.${tag}@example.com`.toLowerCase(),
    isEmailValidated: true, createdAt: now,
  };
}
