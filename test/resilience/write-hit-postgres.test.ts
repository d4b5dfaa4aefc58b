/**
 * The per-token write limit on PostgreSQL, through the app: a card addition takes its write hit in
 * the card's own statement (RateLimitStore.addCardCounted), so over HTTP it is ONE round trip to
 * PostgreSQL once the token is verified, and the limit holds as before: a token over its budget
 * gets 429 with Retry-After and nothing is stored; a request that never reaches the store (a bad
 * body) still counts, and is answered 429 rather than 400 when over the budget.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStorage, type PostgresStorage } from '../../reference-server/src/storage/postgres/postgres-storage.ts';
import { appTransport, cardBody, Client, loginCitizen, pan, PM, testApp, type TestServer } from '../server/helpers.ts';
import { createTestDatabase, type TestDatabase } from './pg-database.ts';
import { countRoundTrips } from './pg-round-trips.ts';

const WRITES = 4;
let db: TestDatabase;
let store: PostgresStorage;
let srv: TestServer;
let client: Client;
beforeAll(async () => {
  db = await createTestDatabase();
  store = await openPostgresStorage({ url: db.url, poolSize: 4 });
  // No background re-read of the run-time settings (every second, in the background of a request):
  // it would land in a counted request now and then, and it is not that request's round trip.
  srv = await testApp({ storage: store, config: { settingsRefreshMs: 0 }, resilienceEnv: { PICCO_ADMISSION: 'off', PICCO_RATE_LIMIT_WRITES: String(WRITES), PICCO_RATE_LIMIT_READS: '100000' } });
  client = new Client(appTransport(srv.app));
});
afterAll(async () => {
  await srv.close();
  await db.drop();
});

/** Waits for the start of a wall-clock second, so a burst falls in one rate window. */
async function freshSecond(): Promise<void> {
  await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 5));
}

const storedCards = async (cf: string): Promise<number> =>
  (await store.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM wallets WHERE fiscal_code = $1', [cf])).rows[0]!.n;

describe('per-token write limit on PostgreSQL, the hit in the card statement', () => {
  it('adds a card in one round trip to PostgreSQL (token verified, hit and card in one statement)', async () => {
    const c = await loginCitizen(client);
    await freshSecond();
    expect((await client.call('POST', `${PM}/v1/wallet/cc`, { token: c.pmToken, body: cardBody(pan()) })).status).toBe(200);
    const rt = countRoundTrips();
    const r = await client.call('POST', `${PM}/v1/wallet/cc`, { token: c.pmToken, body: cardBody(pan()) });
    rt.stop();
    expect(r.status).toBe(200);
    expect({ n: rt.count, statements: rt.statements }).toEqual({ n: 1, statements: ['add_cards'] });
  });

  it('answers 429 with Retry-After past the budget and stores only the cards within it', async () => {
    const c = await loginCitizen(client);
    await freshSecond();
    const rs = await Promise.all(Array.from({ length: WRITES + 3 }, () =>
      client.call('POST', `${PM}/v1/wallet/cc`, { token: c.pmToken, body: cardBody(pan()) })));
    const statuses = rs.map((r) => r.status).sort();
    expect(statuses).toEqual([...Array<number>(WRITES).fill(200), 429, 429, 429]);
    const limited = rs.find((r) => r.status === 429)!;
    expect([limited.headers['retry-after'], limited.json.code]).toEqual(['1', 'request.rate_limited']);
    expect(await storedCards(c.fiscalCode)).toBe(WRITES);
  });

  it('counts a write the store never sees: a bad body is 400 within the budget, 429 past it', async () => {
    const c = await loginCitizen(client);
    await freshSecond();
    const bad = { data: { type: 'CREDIT_CARD', creditCard: { pan: '4242', holder: 'x', expireMonth: '13', expireYear: '30' } } };
    expect((await client.call('POST', `${PM}/v1/wallet/cc`, { token: c.pmToken, body: bad })).status).toBe(400);
    for (let i = 1; i < WRITES; i++) expect((await client.call('POST', `${PM}/v1/wallet/cc`, { token: c.pmToken, body: cardBody(pan()) })).status).toBe(200);
    const over = await client.call('POST', `${PM}/v1/wallet/cc`, { token: c.pmToken, body: bad });
    expect([over.status, over.json.code]).toEqual([429, 'request.rate_limited']);
    expect(await storedCards(c.fiscalCode)).toBe(WRITES - 1);
  });
});
