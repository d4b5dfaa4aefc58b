import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Client, PM, addCreditCard, appTransport, cardBody, follow3ds, loginCitizen, pan, testApp, type Citizen, type TestServer,
} from './helpers.ts';
import { allCards } from '../../reference-server/src/downstream/processors.ts';
import { DEFAULT_SALT } from '../../reference-server/src/config.ts';
import { fiscalCode } from './helpers.ts';

let s: TestServer;
let client: Client;
beforeAll(async () => {
  s = await testApp();
  client = new Client(appTransport(s.app));
});
afterAll(async () => s.close());

const wallets = async (c: Citizen) => (await client.get(`${PM}/v2/wallet`, c.pmToken)).json.data as Array<Record<string, any>>;

describe('PM start-session', () => {
  it('exchanges the walletToken for a PM session token', async () => {
    const c = await loginCitizen(client);
    expect(c.pmToken).toMatch(/^[0-9a-f]{96}$/);
    expect((await client.get(`${PM}/v2/wallet`, c.pmToken)).status).toBe(200);
  });
  it('answers 401 to an unknown or wrong-kind token and 400 without one', async () => {
    const c = await loginCitizen(client);
    expect((await client.get(`${PM}/v1/users/actions/start-session?token=${c.bpdToken}`)).status).toBe(401);
    expect((await client.get(`${PM}/v1/users/actions/start-session?token=abc`)).status).toBe(401);
    expect((await client.get(`${PM}/v1/users/actions/start-session`)).status).toBe(400);
    expect((await client.get(`${PM}/v2/wallet`, c.sessionToken)).status).toBe(401);
  });
  it('expires the PM session (the app then starts a new one)', async () => {
    const c = await loginCitizen(client);
    s.clock.t = new Date(s.clock.t.getTime() + 31 * 60_000);
    expect((await client.get(`${PM}/v2/wallet`, c.pmToken)).status).toBe(401);
    const again = await client.get(`${PM}/v1/users/actions/start-session?token=${c.walletToken}`);
    expect((await client.get(`${PM}/v2/wallet`, again.json.data.sessionToken)).status).toBe(200);
    s.clock.set('2020-12-07T10:00:00Z');
  });
});

describe('credit card: the four steps', () => {
  it('adds a card through add, pay, 3DS and the wallet list, storing only hpan and the masked PAN', async () => {
    const c = await loginCitizen(client);
    const p = pan();
    const add = await client.call('POST', `${PM}/v1/wallet/cc`, { token: c.pmToken, body: cardBody(p) });
    expect(add.status).toBe(200);
    expect(add.json.data.creditCard.pan).toBe(`************${p.slice(-4)}`);
    expect(add.text).not.toContain(p);
    expect(await wallets(c)).toEqual([]); // invisible until the flow completes
    const { idWallet, hpan } = await addCreditCard(client, c, pan());
    expect(hpan).toMatch(/^[0-9a-f]{64}$/);
    const list = await wallets(c);
    expect(list.map((w) => w.idWallet)).toEqual([idWallet]);
    expect(list[0]?.enableableFunctions).toContain('BPD');
  });

  it('answers 422 creditcard.already_exists to a card the user already has, and lets another user add it', async () => {
    const c = await loginCitizen(client);
    const p = pan();
    await addCreditCard(client, c, p);
    const again = await client.call('POST', `${PM}/v1/wallet/cc`, { token: c.pmToken, body: cardBody(p) });
    expect(again.status).toBe(422);
    expect(again.json).toEqual({ code: 'creditcard.already_exists', message: 'creditcard.already_exists' });
    const other = await loginCitizen(client);
    expect((await client.call('POST', `${PM}/v1/wallet/cc`, { token: other.pmToken, body: cardBody(p) })).status).toBe(200);
  });

  it('restarts an unfinished card with the same idWallet instead of refusing it', async () => {
    const c = await loginCitizen(client);
    const p = pan();
    const a = await client.call('POST', `${PM}/v1/wallet/cc`, { token: c.pmToken, body: cardBody(p) });
    const b = await client.call('POST', `${PM}/v1/wallet/cc`, { token: c.pmToken, body: cardBody(p) });
    expect(b.status).toBe(200);
    expect(b.json.data.idWallet).toBe(a.json.data.idWallet);
  });

  it('rejects a Luhn-invalid PAN, an expired card, wrong types and missing fields with 400, storing nothing', async () => {
    const c = await loginCitizen(client);
    const good = pan();
    const bad = good.slice(0, -1) + String((Number(good.slice(-1)) + 1) % 10);
    const luhn = await client.call('POST', `${PM}/v1/wallet/cc`, { token: c.pmToken, body: cardBody(bad) });
    expect(luhn.status).toBe(400);
    expect(luhn.json.code).toBe('creditcard.invalid');
    expect(luhn.text).not.toContain(bad);
    const expired = await client.call('POST', `${PM}/v1/wallet/cc`, { token: c.pmToken, body: cardBody(good, { expireMonth: '11', expireYear: '20' }) });
    expect(expired.json.detail).toContain('expired');
    const types = await client.call('POST', `${PM}/v1/wallet/cc`, { token: c.pmToken, body: cardBody(good, { expireMonth: 12 }) });
    expect(types.status).toBe(400);
    expect(types.json.detail).toContain('expireMonth');
    const missing = await client.call('POST', `${PM}/v1/wallet/cc`, { token: c.pmToken, body: { data: { type: 'CREDIT_CARD' } } });
    expect(missing.json.detail).toContain('creditCard');
    expect((await client.call('POST', `${PM}/v1/wallet/cc`, { token: c.pmToken, raw: '{"data":' })).json.code).toBe('request.malformed_json');
    expect((await client.call('POST', `${PM}/v1/wallet/cc`, { token: c.pmToken, raw: JSON.stringify(cardBody(good, { holder: 'x'.repeat(70_000) })) })).status).toBe(413);
    // nothing stored: the good card can still be added fresh and is the only wallet
    await addCreditCard(client, c, good);
    expect((await wallets(c)).length).toBe(1);
    expect((await client.call('POST', `${PM}/v1/wallet/cc`, { body: cardBody(good) })).status).toBe(401);
  });

  it('answers 404 to pay for a wallet that is not the caller\'s and 409 once verified', async () => {
    const c = await loginCitizen(client);
    const other = await loginCitizen(client);
    const { idWallet } = await addCreditCard(client, c);
    const foreign = await client.call('POST', `${PM}/v1/payments/cc/actions/pay`, { token: other.pmToken, body: { data: { idWallet, tipo: 'web', cvv: '123' } } });
    expect(foreign.status).toBe(404);
    const twice = await client.call('POST', `${PM}/v1/payments/cc/actions/pay`, { token: c.pmToken, body: { data: { idWallet, tipo: 'web', cvv: '123' } } });
    expect(twice.json.code).toBe('wallet.already_verified');
    const cvv = await client.call('POST', `${PM}/v1/payments/cc/actions/pay`, { token: c.pmToken, body: { data: { idWallet, cvv: '12' } } });
    expect(cvv.json.detail).toContain('cvv');
  });

  it('refuses a checkout URL with a wrong nonce or another user\'s session token', async () => {
    const c = await loginCitizen(client);
    const other = await loginCitizen(client);
    const add = await client.call('POST', `${PM}/v1/wallet/cc`, { token: c.pmToken, body: cardBody(pan()) });
    const pay = await client.call('POST', `${PM}/v1/payments/cc/actions/pay`, { token: c.pmToken, body: { data: { idWallet: add.json.data.idWallet, cvv: '123' } } });
    const url = new URL(pay.json.data.urlCheckout3ds as string);
    const id = url.searchParams.get('id');
    expect((await client.get(`/wallet/checkout?id=${id}&nonce=${'0'.repeat(48)}`)).status).toBe(404);
    expect((await client.get(`${url.pathname}${url.search}&sessionToken=${other.pmToken}`)).status).toBe(401);
    expect((await client.get(`/acs/challenge?id=${id}&nonce=${'0'.repeat(48)}`)).status).toBe(404);
    expect((await client.get('/wallet/checkout?id=x')).status).toBe(400);
  });
});

describe('wallet actions', () => {
  it('confirms, favours, updates, reads and deletes a wallet; v1 lists credit cards', async () => {
    const c = await loginCitizen(client);
    const a = await addCreditCard(client, c);
    const b = await addCreditCard(client, c);
    expect((await client.call('POST', `${PM}/v1/wallet/${a.idWallet}/actions/confirm`, { token: c.pmToken })).json.data.saved).toBe(true);
    expect((await client.call('POST', `${PM}/v1/wallet/${b.idWallet}/actions/favourite`, { token: c.pmToken })).json.data.favourite).toBe(true);
    expect((await client.call('PUT', `${PM}/v1/wallet/${a.idWallet}`, { token: c.pmToken, body: { data: { idPsp: 7 } } })).json.data.idPsp).toBe(7);
    expect((await client.get(`${PM}/v1/wallet/${a.idWallet}`, c.pmToken)).json.data.creditCard.flag3dsVerified).toBe(true);
    const v1 = await client.get(`${PM}/v1/wallet`, c.pmToken);
    expect(v1.json.data.map((w: { idWallet: number }) => w.idWallet)).toEqual([a.idWallet, b.idWallet]);
    expect((await client.call('DELETE', `${PM}/v1/wallet/${a.idWallet}`, { token: c.pmToken })).status).toBe(204);
    expect((await client.call('DELETE', `${PM}/v1/wallet/${a.idWallet}`, { token: c.pmToken })).status).toBe(404);
    expect((await client.get(`${PM}/v1/wallet/${a.idWallet}`, c.pmToken)).status).toBe(404);
    expect((await client.get(`${PM}/v1/wallet/abc`, c.pmToken)).status).toBe(400);
    expect((await wallets(c)).map((w) => w.idWallet)).toEqual([b.idWallet]);
  });
  it('answers 409 to confirming a card that has not finished 3DS and 404 to another user\'s wallet', async () => {
    const c = await loginCitizen(client);
    const add = await client.call('POST', `${PM}/v1/wallet/cc`, { token: c.pmToken, body: cardBody(pan()) });
    const id = add.json.data.idWallet as number;
    expect((await client.call('POST', `${PM}/v1/wallet/${id}/actions/confirm`, { token: c.pmToken })).json.code).toBe('wallet.not_verified');
    const other = await loginCitizen(client);
    expect((await client.call('POST', `${PM}/v1/wallet/${id}/actions/favourite`, { token: other.pmToken })).status).toBe(404);
    expect((await client.call('PUT', `${PM}/v1/wallet/${id}`, { token: other.pmToken, body: { data: {} } })).status).toBe(404);
  });
  it('checks a card BIN', async () => {
    const c = await loginCitizen(client);
    const r = await client.call('POST', `${PM}/v1/wallet/actions/check-card-bin`, { token: c.pmToken, body: { data: { cardBin: '424242' } } });
    expect(r.json.data.urlLogo).toContain('visa');
    expect((await client.call('POST', `${PM}/v1/wallet/actions/check-card-bin`, { token: c.pmToken, body: { data: { cardBin: 'x' } } })).status).toBe(400);
  });
});

describe('PagoBancomat', () => {
  it('lists banks with paging and a query', async () => {
    const c = await loginCitizen(client);
    const page = await client.get(`${PM}/v1/bancomat/abi?size=3&start=0`, c.pmToken);
    expect(page.json.data.length).toBe(3);
    expect(page.json.total).toBeGreaterThan(3);
    const q = await client.get(`${PM}/v1/bancomat/abi?abiQuery=intesa`, c.pmToken);
    expect(q.json.data[0].abi).toBe('03069');
    expect((await client.get(`${PM}/v1/bancomat/abi?size=-1`, c.pmToken)).status).toBe(400);
  });

  it('fans the search out to ICCREA, NEXI and SIA with codes 0, 21, 23 and adds a found card once', async () => {
    // find a citizen who holds at least one card
    let c: Citizen | undefined;
    for (let i = 0; i < 50 && c === undefined; i++) {
      const cf = fiscalCode();
      if (allCards(cf, DEFAULT_SALT).length > 0) c = await loginCitizen(client, cf);
    }
    if (c === undefined) throw new Error('no citizen with a PagoBancomat card in 50 tries');
    const r = await client.get(`${PM}/v1/bancomat/pans`, c.pmToken);
    expect(r.status).toBe(200);
    const messages = r.json.data.messages as Array<{ caName: string; code: number; cardsNumber: number }>;
    expect(messages.map((m) => m.caName).sort()).toEqual(['ICCREA', 'NEXI', 'SIA']);
    for (const m of messages) expect([0, 21, 23]).toContain(m.code);
    const card = r.json.data.data[0];
    const add = await client.call('POST', `${PM}/v1/bancomat/add-wallets`, { token: c.pmToken, body: { data: { data: [card] } } });
    expect(add.json.data[0].info.hashPan).toBe(card.hpan);
    const again = await client.call('POST', `${PM}/v1/bancomat/add-wallets`, { token: c.pmToken, body: { data: { data: [card] } } });
    expect(again.json.data[0].idWallet).toBe(add.json.data[0].idWallet);
    expect((await wallets(c)).filter((w) => w.walletType === 'Bancomat').length).toBe(1);
    // searching one bank asks only its processor
    const one = await client.get(`${PM}/v1/bancomat/pans?abi=${card.abi}`, c.pmToken);
    expect(one.json.data.messages.length).toBe(1);
    expect((await client.get(`${PM}/v1/bancomat/pans?abi=12`, c.pmToken)).status).toBe(400);
  });

  it('refuses a card the processors do not hold for this user', async () => {
    const c = await loginCitizen(client);
    const r = await client.call('POST', `${PM}/v1/bancomat/add-wallets`, { token: c.pmToken,
      body: { data: { data: [{ abi: '03069', hpan: 'a'.repeat(64) }] } } });
    expect(r.status).toBe(400);
    expect(r.json.code).toBe('bancomat.unknown_card');
    expect((await client.call('POST', `${PM}/v1/bancomat/add-wallets`, { token: c.pmToken, body: { data: { data: [] } } })).status).toBe(400);
  });
});

describe('downstream outages', () => {
  it('reports a processor error as code 99 in the messages, a failing acquirer or ACS as 503, a refused 3DS as an unverified card', async () => {
    const f = await testApp({ faults: { downstream: { nexi: { errorRate: 1 }, acquirer: { errorRate: 1 } } } });
    try {
      const fc = new Client(appTransport(f.app));
      const c = await loginCitizen(fc);
      const r = await fc.get(`${PM}/v1/bancomat/pans`, c.pmToken);
      expect(r.json.data.messages.find((m: { caName: string }) => m.caName === 'NEXI').code).toBe(99);
      const add = await fc.call('POST', `${PM}/v1/wallet/cc`, { token: c.pmToken, body: cardBody(pan()) });
      const pay = await fc.call('POST', `${PM}/v1/payments/cc/actions/pay`, { token: c.pmToken, body: { data: { idWallet: add.json.data.idWallet, cvv: '123' } } });
      expect(pay.status).toBe(503);
      expect(pay.json.code).toBe('downstream.unavailable');
      await fc.call('PUT', '/__picco/faults', { body: { downstream: { acs: { denyRate: 1 } } } });
      const pay2 = await fc.call('POST', `${PM}/v1/payments/cc/actions/pay`, { token: c.pmToken, body: { data: { idWallet: add.json.data.idWallet, cvv: '123' } } });
      const end = await follow3ds(fc, pay2.json.data.urlCheckout3ds as string);
      expect(end).toContain('outcome=2');
      expect((await fc.get(`${PM}/v2/wallet`, c.pmToken)).json.data).toEqual([]);
      await fc.call('PUT', '/__picco/faults', { body: { downstream: { acs: { errorRate: 1 } } } });
      const pay3 = await fc.call('POST', `${PM}/v1/payments/cc/actions/pay`, { token: c.pmToken, body: { data: { idWallet: add.json.data.idWallet, cvv: '123' } } });
      const u = new URL(pay3.json.data.urlCheckout3ds as string);
      const acs = await fc.get(`/acs/challenge${u.search}`);
      expect(acs.status).toBe(503);
    } finally {
      await f.close();
    }
  });
});
