/**
 * Round trips to PostgreSQL per API operation, through the app (not per storage call): the launch
 * journey (login, session, wallet, card addition and its 3DS verification, PagoBancomat, cashback
 * enrolment, IBAN, instruments, totals, logout) with every request's round trips counted at the
 * wire (pg-round-trips.ts) and compared with the table below. A change that makes an operation
 * take one more round trip fails here, naming the operation and the statements it sent.
 *
 * Tokens are verified once per process and then served from the token cache (token-cache.ts), so
 * each token kind is used once before the journey; every write also counts one hit on its token's
 * write budget (rate-limit.ts), in its own statement except the card addition, whose hit rides in
 * the card's statement.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStorage } from '../../reference-server/src/storage/postgres/postgres-storage.ts';
import { appTransport, cardBody, Client, iban, loginCitizen, pan, PM, testApp, type TestServer } from '../server/helpers.ts';
import { createTestDatabase, type TestDatabase } from './pg-database.ts';
import { countRoundTrips } from './pg-round-trips.ts';

let db: TestDatabase;
let srv: TestServer;
let client: Client;
beforeAll(async () => {
  db = await createTestDatabase();
  const store = await openPostgresStorage({ url: db.url, poolSize: 4 });
  // No background re-read of the run-time settings (every second, in the background of a request):
  // it would land in a counted request now and then, and it is not that request's round trip.
  srv = await testApp({ storage: store, config: { settingsRefreshMs: 0 }, resilienceEnv: { PICCO_ADMISSION: 'off', PICCO_RATE_LIMIT_WRITES: '1000', PICCO_RATE_LIMIT_READS: '1000' } });
  client = new Client(appTransport(srv.app));
});
afterAll(async () => {
  await srv.close();
  await db.drop();
});

describe('round trips to PostgreSQL per API operation', () => {
  it('takes the round trips the table says, operation by operation, on the launch journey', async () => {
    const seen: [string, number, string][] = [];
    const op = async (what: string, f: () => Promise<{ status: number; text: string }>, status = 200) => {
      const rt = countRoundTrips();
      let r;
      try {
        r = await f();
      } finally {
        rt.stop();
      }
      expect(r.status, `${what}: ${r.text.slice(0, 200)}`).toBe(status);
      seen.push([what, rt.count, rt.statements.join(' ')]);
      return r as { status: number; text: string; json: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
    };
    const c = await loginCitizen(client);
    // Each token kind verified once (then cached).
    await client.get(`${PM}/v2/wallet`, c.pmToken);
    await client.get('/bpd/io/award-periods', c.bpdToken);
    // The first write of a process also purges old rate windows (then once a minute): another
    // citizen's write takes that turn.
    const other = await loginCitizen(client);
    expect((await client.call('PUT', '/bpd/io/citizen', { token: other.bpdToken })).status).toBe(200);

    await op('GET /api/v1/session', () => client.get('/api/v1/session', c.sessionToken));
    await op('GET /api/v1/profile', () => client.get('/api/v1/profile', c.sessionToken));
    await op('GET /pp-restapi-CD/v2/wallet', () => client.get(`${PM}/v2/wallet`, c.pmToken));
    const added = await op('POST /pp-restapi-CD/v1/wallet/cc', () => client.call('POST', `${PM}/v1/wallet/cc`, { token: c.pmToken, body: cardBody(pan()) }));
    const idWallet = added.json.data.idWallet as number;
    const pay = await op('POST /pp-restapi-CD/v1/payments/cc/actions/pay', () => client.call('POST', `${PM}/v1/payments/cc/actions/pay`,
      { token: c.pmToken, body: { data: { idWallet, tipo: 'web', cvv: '123' } } }));
    // The 3DS pages: the checkout, the ACS challenge, the outcome.
    let next = new URL(`${pay.json.data.urlCheckout3ds}&sessionToken=${c.pmToken}`);
    for (const page of ['GET /wallet/checkout', 'GET /acs/challenge']) {
      const r = await op(page, () => client.get(next.pathname + next.search), 302);
      next = new URL((r as unknown as { headers: Record<string, string> }).headers['location']!, next);
    }
    await op('GET /wallet/loginMethod', () => client.get(next.pathname + next.search));
    await op('GET /pp-restapi-CD/v1/wallet/{id}', () => client.get(`${PM}/v1/wallet/${idWallet}`, c.pmToken));
    await op('POST /pp-restapi-CD/v1/wallet/{id}/actions/favourite', () => client.call('POST', `${PM}/v1/wallet/${idWallet}/actions/favourite`, { token: c.pmToken }));
    await op('GET /pp-restapi-CD/v1/bancomat/pans', () => client.get(`${PM}/v1/bancomat/pans`, c.pmToken));
    await op('PUT /bpd/io/citizen', () => client.call('PUT', '/bpd/io/citizen', { token: c.bpdToken }));
    await op('GET /bpd/io/citizen', () => client.get('/bpd/io/citizen', c.bpdToken));
    await op('PATCH /bpd/io/citizen', () => client.call('PATCH', '/bpd/io/citizen', { token: c.bpdToken, body: { payoffInstr: iban(),
      payoffInstrType: 'IBAN', accountHolderCF: c.fiscalCode, accountHolderName: 'Mario', accountHolderSurname: 'Rossi' } }));
    const wallets = await client.get(`${PM}/v2/wallet`, c.pmToken);
    const hpan = (wallets.json.data as { info: { hashPan: string } }[])[0]!.info.hashPan;
    await op('PUT /bpd/io/payment-instruments/{hpan}', () => client.call('PUT', `/bpd/io/payment-instruments/${hpan}`, { token: c.bpdToken }));
    await op('GET /bpd/io/payment-instruments/{hpan}', () => client.get(`/bpd/io/payment-instruments/${hpan}`, c.bpdToken));
    await op('GET /bpd/io/winning-transactions/total-cashback', () => client.get('/bpd/io/winning-transactions/total-cashback?awardPeriodId=1', c.bpdToken), 404);
    await op('POST /logout', () => client.call('POST', '/logout', { token: c.sessionToken }));

    // Reads before a downstream call (the acquirer, the ACS, the IBAN check) are their own step:
    // an unknown wallet, payment or citizen never reaches the downstream service.
    expect(seen.map(([w, n, st]) => `${w}: ${n} (${st})`)).toEqual([
      'GET /api/v1/session: 1 (get_session)',
      'GET /api/v1/profile: 1 (get_user)',
      'GET /pp-restapi-CD/v2/wallet: 1 (list_wallets)',
      'POST /pp-restapi-CD/v1/wallet/cc: 1 (add_cards)',
      'POST /pp-restapi-CD/v1/payments/cc/actions/pay: 3 (rate_hits get_wallet start_verification)',
      'GET /wallet/checkout: 1 (get_verification)',
      'GET /acs/challenge: 2 (get_verification complete_verification)',
      'GET /wallet/loginMethod: 0 ()',
      'GET /pp-restapi-CD/v1/wallet/{id}: 1 (get_wallet)',
      'POST /pp-restapi-CD/v1/wallet/{id}/actions/favourite: 2 (rate_hits set_favourite)',
      'GET /pp-restapi-CD/v1/bancomat/pans: 0 ()',
      'PUT /bpd/io/citizen: 2 (rate_hits enroll_citizen)',
      'GET /bpd/io/citizen: 1 (get_citizen)',
      'PATCH /bpd/io/citizen: 3 (rate_hits get_citizen set_iban)',
      'PUT /bpd/io/payment-instruments/{hpan}: 2 (rate_hits enable_instrument)',
      'GET /bpd/io/payment-instruments/{hpan}: 1 (get_instrument)',
      'GET /bpd/io/winning-transactions/total-cashback: 1 (cashback_totals)',
      'POST /logout: 2 (rate_hits delete_session)',
    ]);
  });
});
