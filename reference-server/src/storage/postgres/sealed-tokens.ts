/**
 * Tokens at rest. Bearer tokens are looked up by SHA-256, so a copy of the database yields no
 * usable token. The four sub-tokens GET /api/v1/session must hand back are sealed with
 * AES-256-GCM under PICCO_DB_SECRET when set, else under a random per-database key created by
 * the first migration. The trade-off is stated plainly: without PICCO_DB_SECRET the key sits
 * in the same database, so the sealing only keeps tokens out of plain-text scans and logs of
 * the data files; set the secret (from a secret manager) for protection against a stolen dump.
 */
import { createCipheriv, createDecipheriv, createHash, hash, randomBytes } from 'node:crypto';

export function tokenHash(token: string): string {
  return hash('sha256', token, 'hex');
}

export function keyFrom(secretHex: string): Buffer {
  return createHash('sha256').update(secretHex).digest();
}

export function seal(key: Buffer, plain: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return `${iv.toString('base64')}.${c.getAuthTag().toString('base64')}.${body.toString('base64')}`;
}

export function unseal(key: Buffer, sealed: string): string {
  const [iv, tag, body] = sealed.split('.');
  const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv ?? '', 'base64'));
  d.setAuthTag(Buffer.from(tag ?? '', 'base64'));
  return Buffer.concat([d.update(Buffer.from(body ?? '', 'base64')), d.final()]).toString('utf8');
}
