/**
 * Bearer tokens as issued, and the key a token is stored under.
 *
 * A token is 48 bytes in hex (96 characters, as io-backend's tokenService): the first 6 bytes are
 * its issue time in milliseconds, the other 42 are random (336 bits, far past guessing). The key
 * at rest is those 12 hex digits of time followed by the token's SHA-256, so a copy of the
 * database still yields no usable token, and tokens issued together sit side by side in the
 * primary-key index: a login writes its four tokens and its session into the last pages of their
 * indexes instead of into ten random ones. Measured with the SQLite store alone
 * (bench/server/token-keys.ts), a login's session and five token rows took 147-160 µs of CPU keyed
 * this way against 356-411 µs by a hash alone: most of the difference is the WAL frames of the
 * pages a random key dirties.
 *
 * Tokens issued before this format are stored under their hash alone (`legacyTokenKey`); a
 * lookup that misses under `tokenKey` tries that key too.
 *
 * @example
 * const t = newToken(random, now); store(tokenKey(t)); // tokenKey(t) = t.slice(0, 12) + sha256(t)
 */
import { tokenHash } from './postgres/sealed-tokens.ts';

/** Hex digits of issue time at the head of a token (6 bytes of milliseconds: until year 10889). */
const TIME_HEX = 12;

export function newToken(random: { bytes(n: number): Buffer }, now: Date): string {
  const b = random.bytes(48);
  b.writeUIntBE(Math.max(0, Math.floor(now.getTime())) % 2 ** 48, 0, 6);
  return b.toString('hex');
}

/** The SHA-256 of the token in hex (the one both stores use): the key of tokens issued before the time prefix. */
export const legacyTokenKey = tokenHash;

/** The token's issue-time digits, then its SHA-256 in hex (`sha`: that hash, when the caller has it). */
export function tokenKey(token: string, sha = tokenHash(token)): string {
  return token.slice(0, TIME_HEX) + sha;
}
