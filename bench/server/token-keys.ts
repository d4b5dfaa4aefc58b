/**
 * `npx tsx bench/server/token-keys.ts [LOGINS]`: the SQLite store alone, without HTTP: LOGINS
 * (default 20,000) logins' writes, each a session with its four tokens and a PM session token,
 * 32 logins in flight (the group commit batches them), once with tokens of 48 random bytes (the
 * format before storage/token-key.ts: every key lands on a random index page) and once with
 * tokens from newToken (issue time first: keys of one batch share the index's last pages),
 * alternately, three times each. Prints CPU µs per login over all threads (the checkpoint worker
 * and the thread pool's fsyncs included). Run it pinned with `taskset -c 1` on a shared box.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openSqliteStorage } from '../../reference-server/src/storage/sqlite/sqlite-storage.ts';
import { newToken } from '../../reference-server/src/storage/token-key.ts';

const N = Number(process.argv[2] ?? 20_000);
const random = { bytes: (n: number) => randomBytes(n) };
const formats = {
  'random 48 bytes': () => randomBytes(48).toString('hex'),
  'issue time first': () => newToken(random, new Date()),
} as const;

async function logins(tok: () => string): Promise<{ usPerLogin: number; perS: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'picco-token-keys-'));
  const s = openSqliteStorage({ path: join(dir, 'tokens.sqlite') });
  const one = async (i: number): Promise<void> => {
    const now = new Date();
    const expiresAt = new Date(now.getTime() + 3_600_000);
    const sessionId = tok();
    const fiscalCode = `RSSMRA80A01H${String(i % 1000).padStart(3, '0')}U`;
    await s.createSession({ sessionId, fiscalCode, spidLevel: 'https://www.spid.gov.it/SpidL2', sessionToken: tok(), walletToken: tok(),
      bpdToken: tok(), myPortalToken: tok(), createdAt: now, expiresAt });
    await s.createPmSession({ token: tok(), sessionId, fiscalCode, createdAt: now, expiresAt });
  };
  let next = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (next < N) await one(next++);
  }));
  const cpu = process.cpuUsage(c0);
  const ms = performance.now() - t0;
  await s.close();
  rmSync(dir, { recursive: true, force: true });
  return { usPerLogin: (cpu.user + cpu.system) / N, perS: (N / ms) * 1000 };
}

for (let round = 0; round < 3; round++) {
  for (const [name, tok] of Object.entries(formats)) {
    const r = await logins(tok);
    process.stdout.write(`${name}: ${Math.round(r.perS)} logins/s, ${r.usPerLogin.toFixed(1)} µs CPU per login (session, 4 tokens, PM token)\n`);
  }
}
