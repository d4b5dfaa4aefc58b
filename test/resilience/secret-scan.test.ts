/**
 * After a full citizen walk (login → PM session → card in 4 steps with a CVV → PagoBancomat →
 * enrolment → IBAN → both instruments → transactions → totals), on each store, nothing sensitive
 * is left in clear where it should not be:
 * - log lines and /metrics: no PAN, CVV, fiscal code, token or IBAN;
 * - the database (SQLite: the raw bytes of the file and its WAL; PostgreSQL: a logical dump of the
 *   test database and the raw bytes of its relation files and of the WAL written during the test):
 *   no PAN, no CVV, no bearer token.
 * Fiscal codes and IBANs are stored where the real system stored them: the fiscal code is the key
 * of the citizen's rows (PM wallets, BPD citizen, instruments and transactions, as the real
 * services keyed them), the IBAN only in the BPD citizen row (payoff_instr, which BPD kept to pay
 * the refund). The test checks the IBAN appears in no other table.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { Agent } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer } from '../../reference-server/src/main.ts';
import { allCards } from '../../reference-server/src/downstream/processors.ts';
import { DEFAULT_SALT } from '../../reference-server/src/config.ts';
import {
  Client, PASSWORD, PM, TEST_RESILIENCE_ENV, TestClock, cardBody, fiscalCode, follow3ds, iban, loginCitizen, pan, undiciTransport,
} from '../server/helpers.ts';
import { adminUrl, createTestDatabase, type TestDatabase } from './pg-database.ts';

const dir = mkdtempSync(join(tmpdir(), 'picco-scan-'));
const dbs: TestDatabase[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  for (const d of dbs) await d.drop();
});

interface Walk { pans: string[]; cvv: string; fiscalCodes: string[]; tokens: string[]; ibans: string[]; logs: string[]; metrics: string }

async function walk(db: string): Promise<Walk> {
  const logs: string[] = [];
  const server = await startServer({ port: 0, db, clock: new TestClock(new Date('2020-12-07T10:00:00Z')), log: (l) => logs.push(l),
    resilienceEnv: TEST_RESILIENCE_ENV, config: { salt: DEFAULT_SALT, testPassword: PASSWORD } });
  const agent = new Agent({ connections: 2 });
  const client = new Client(undiciTransport(server.url, agent));
  let cf = fiscalCode();
  while (!allCards(cf, DEFAULT_SALT).some((c) => c.validityState === 'V')) cf = fiscalCode();
  const c = await loginCitizen(client, cf);
  const w: Walk = { pans: [pan('5')], cvv: '8642', fiscalCodes: [cf], tokens: [c.sessionToken, c.walletToken, c.bpdToken, c.pmToken],
    ibans: [iban()], logs, metrics: '' };
  const add = await client.call('POST', `${PM}/v1/wallet/cc`, { token: c.pmToken, body: cardBody(w.pans[0]!, { securityCode: w.cvv }) });
  expect(add.status).toBe(200);
  const pay = await client.call('POST', `${PM}/v1/payments/cc/actions/pay`, { token: c.pmToken,
    body: { data: { idWallet: add.json.data.idWallet, tipo: 'web', cvv: w.cvv } } });
  expect(pay.status).toBe(200);
  await follow3ds(client, `${pay.json.data.urlCheckout3ds}&sessionToken=${c.pmToken}`);
  const list = await client.get(`${PM}/v2/wallet`, c.pmToken);
  const cardHpan = (list.json.data as Array<{ info: { hashPan: string } }>)[0]!.info.hashPan;
  const pans = await client.get(`${PM}/v1/bancomat/pans`, c.pmToken);
  const bancomat = (pans.json.data.data as Array<{ hpan: string; validityState: string }>).find((x) => x.validityState === 'V')!;
  expect((await client.call('POST', `${PM}/v1/bancomat/add-wallets`, { token: c.pmToken, body: { data: { data: [bancomat] } } })).status).toBe(200);
  expect((await client.call('PUT', '/bpd/io/citizen', { token: c.bpdToken })).status).toBe(200);
  const patch = await client.call('PATCH', '/bpd/io/citizen', { token: c.bpdToken, body: { payoffInstr: w.ibans[0], payoffInstrType: 'IBAN',
    accountHolderCF: cf, accountHolderName: 'Mario', accountHolderSurname: 'Rossi' } });
  expect(patch.status).toBe(200);
  for (const h of [cardHpan, bancomat.hpan]) expect((await client.call('PUT', `/bpd/io/payment-instruments/${h}`, { token: c.bpdToken })).status).toBe(200);
  const trx = await client.call('POST', '/__picco/acquirer/transactions', { body: { transactions: Array.from({ length: 3 }, (_, i) => ({
    acquirerCode: 'ACQ', idTrxAcquirer: `scan-${i}`, idTrxIssuer: `I${i}`, hpan: cardHpan, trxDate: `2020-12-1${i}`, amount: 40,
    operationType: '00', circuitType: '01', merchantId: 'M', terminalId: 'T' })) } });
  expect(trx.json.accepted).toBe(3);
  expect((await client.get('/bpd/io/winning-transactions/total-cashback?awardPeriodId=1', c.bpdToken)).status).toBe(200);
  w.metrics = (await client.get('/metrics')).text;
  await agent.close();
  await server.close();
  return w;
}

function expectClean(where: string, text: string, secrets: string[]): void {
  for (const s of secrets) {
    expect(text.includes(s), `${where} contains a secret in clear`).toBe(false);
    expect(text.toLowerCase().includes(s.toLowerCase()), `${where} contains a secret in clear`).toBe(false);
  }
}

function checkLogsAndMetrics(w: Walk): void {
  expect(w.logs.length).toBeGreaterThan(10);
  for (const [where, text] of [['logs', w.logs.join('\n')], ['metrics', w.metrics]] as const) {
    expectClean(where, text, [...w.pans, ...w.fiscalCodes, ...w.tokens, ...w.ibans]);
    expect(text).not.toMatch(/securityCode|"cvv"|Bearer/i);
  }
}

/**
 * The CVV as a stored value would look: a JSON or SQL string, or a JSON key, never a bare digit
 * run inside a hash, nor three letters inside base64 (a sealed token's ciphertext spells "CvV" by
 * chance in about one walk in ten). A column of that name is looked for in the schema instead.
 */
const cvvForms = (cvv: string) => [`"${cvv}"`, `'${cvv}'`, `"cvv"`, `"securityCode"`];
const CVV_COLUMN = /cvv|security_?code/i;

/** `table.column` of every column of a store: none named for a CVV. */
function expectNoCvvColumn(columns: string[]): void {
  expect(columns.length).toBeGreaterThan(10);
  expect(columns.filter((c) => CVV_COLUMN.test(c))).toEqual([]);
}

describe('no secret in clear after a full citizen walk', () => {
  it('on SQLite: logs, metrics, the database file and its WAL', async () => {
    const file = join(dir, 'scan.sqlite');
    const w = await walk(`sqlite:${file}`);
    checkLogsAndMetrics(w);
    for (const f of [file, `${file}-wal`]) {
      if (!existsSync(f)) continue;
      const bytes = readFileSync(f).toString('latin1');
      expectClean(f.endsWith('-wal') ? 'the WAL' : 'the database file', bytes, [...w.pans, ...w.tokens, ...cvvForms(w.cvv)]);
    }
    const db = new Database(file, { readonly: true });
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
    expectNoCvvColumn(tables.flatMap((t) => (db.prepare(`PRAGMA table_info("${t}")`).all() as { name: string }[]).map((c) => `${t}.${c.name}`)));
    const holding = tables.filter((t) => JSON.stringify(db.prepare(`SELECT * FROM "${t}"`).all()).includes(w.ibans[0]!));
    expect(holding).toEqual(['citizens']);
    db.close();
  });

  it('on PostgreSQL: logs, metrics, a dump of the database, its relation files and the WAL written meanwhile', async () => {
    const tdb = await createTestDatabase('picco_scan');
    dbs.push(tdb);
    const t0 = Date.now();
    const w = await walk(tdb.url);
    checkLogsAndMetrics(w);
    const dump = execFileSync('pg_dump', ['--data-only', '--no-owner', tdb.url], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(dump).toContain('COPY public.wallets');
    expectClean('the database dump', dump, [...w.pans, ...w.tokens, ...cvvForms(w.cvv)]);
    const sections = dump.split(/^COPY /m).filter((s) => s.includes(w.ibans[0]!)).map((s) => s.slice(0, s.indexOf(' ')));
    expect(sections).toEqual(['public.citizens']);
    // Raw bytes: dead tuples and WAL would show what a logical dump cannot.
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    const dataDir = (await admin.query<{ d: string }>("SELECT current_setting('data_directory') AS d")).rows[0]!.d;
    const app = new pg.Client({ connectionString: tdb.url });
    await app.connect();
    expectNoCvvColumn((await app.query<{ c: string }>("SELECT table_name || '.' || column_name AS c FROM information_schema.columns WHERE table_schema = 'public'")).rows.map((r) => r.c));
    await app.end();
    const oid = (await admin.query<{ oid: number }>('SELECT oid FROM pg_database WHERE datname = $1', [tdb.name])).rows[0]!.oid;
    await admin.query('CHECKPOINT');
    await admin.end();
    const files = [
      ...readdirSync(join(dataDir, 'base', String(oid))).map((f) => join(dataDir, 'base', String(oid), f)),
      ...readdirSync(join(dataDir, 'pg_wal')).filter((f) => /^[0-9A-F]{24}$/.test(f)).map((f) => join(dataDir, 'pg_wal', f))
        .filter((f) => statSync(f).mtimeMs >= t0 - 1000),
    ];
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) expectClean(`PostgreSQL file ${f.slice(dataDir.length)}`, readFileSync(f).toString('latin1'), [...w.pans, ...w.tokens]);
  });
});
