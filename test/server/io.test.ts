import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, PASSWORD, appTransport, fiscalCode, loginCitizen, testApp, type TestServer } from './helpers.ts';

let s: TestServer;
let client: Client;
beforeAll(async () => {
  s = await testApp({ config: { sessionTtlSeconds: 3600 } });
  client = new Client(appTransport(s.app));
});
afterAll(async () => s.close());

describe('POST /test-login', () => {
  it('logs in any valid fiscal code with the test password and returns a 96-hex-char token', async () => {
    const r = await client.call('POST', '/test-login', { body: { username: fiscalCode(), password: PASSWORD } });
    expect(r.status).toBe(200);
    expect(r.json.token).toMatch(/^[0-9a-f]{96}$/);
  });
  it('answers 401 to a wrong password', async () => {
    const r = await client.call('POST', '/test-login', { body: { username: fiscalCode(), password: 'nope' } });
    expect(r.status).toBe(401);
    expect(r.json.code).toBe('auth.invalid_credentials');
  });
  it('answers 401 to a fiscal code with a wrong check character, as io-backend did, without echoing it', async () => {
    const cf = fiscalCode();
    const bad = cf.slice(0, 15) + (cf[15] === 'A' ? 'B' : 'A');
    const r = await client.call('POST', '/test-login', { body: { username: bad, password: PASSWORD } });
    expect(r.status).toBe(401);
    expect(r.json.code).toBe('auth.invalid_credentials');
    expect(r.text).not.toContain(bad);
  });
  it('answers 400 to malformed JSON, wrong types, missing fields and an empty body', async () => {
    expect((await client.call('POST', '/test-login', { raw: '{"username":' })).json.code).toBe('request.malformed_json');
    const wrong = await client.call('POST', '/test-login', { body: { username: 42, password: true } });
    expect(wrong.status).toBe(400);
    expect(wrong.json.detail).toMatch(/username.*password|password.*username/);
    expect((await client.call('POST', '/test-login', { body: { password: PASSWORD } })).json.detail).toContain('username');
    expect((await client.call('POST', '/test-login', { raw: '' })).status).toBe(400);
  });
  it('answers 413 to an oversized body', async () => {
    const r = await client.call('POST', '/test-login', { raw: JSON.stringify({ username: 'x'.repeat(70_000), password: 'p' }) });
    expect(r.status).toBe(413);
    expect(r.json.code).toBe('request.too_large');
  });
});

describe('io-backend session, profile and logout', () => {
  it('returns the sub-tokens of the session, all distinct 48-byte hex tokens', async () => {
    const login = await client.call('POST', '/test-login', { body: { username: fiscalCode(), password: PASSWORD } });
    const r = await client.get('/api/v1/session', login.json.token);
    expect(r.status).toBe(200);
    const tokens = [login.json.token, r.json.walletToken, r.json.bpdToken, r.json.myPortalToken];
    for (const t of tokens) expect(t).toMatch(/^[0-9a-f]{96}$/);
    expect(new Set(tokens).size).toBe(4);
  });
  it('answers 401 without a token, with an unknown one, with a token of another kind, and after expiry', async () => {
    expect((await client.get('/api/v1/session')).status).toBe(401);
    expect((await client.get('/api/v1/session', 'f'.repeat(96))).status).toBe(401);
    const c = await loginCitizen(client);
    expect((await client.get('/api/v1/session', c.bpdToken)).status).toBe(401);
    s.clock.t = new Date(s.clock.t.getTime() + 3601_000);
    expect((await client.get('/api/v1/session', c.sessionToken)).status).toBe(401);
    s.clock.set('2020-12-07T10:00:00Z');
  });
  it('returns the profile of the logged-in fiscal code with a validated email', async () => {
    const c = await loginCitizen(client);
    const r = await client.get('/api/v1/profile', c.sessionToken);
    expect(r.json.fiscal_code).toBe(c.fiscalCode);
    expect(r.json.is_email_validated).toBe(true);
  });
  it('gives the payment manager the user through /pagopa/api/v1/user with the walletToken', async () => {
    const c = await loginCitizen(client);
    const r = await client.get(`/pagopa/api/v1/user?version=20200114&token=${c.walletToken}`);
    expect(r.status).toBe(200);
    expect(r.json.fiscal_code).toBe(c.fiscalCode);
    expect(r.json.notice_email).toContain('@');
    expect((await client.get('/pagopa/api/v1/user?token=nope')).status).toBe(401);
  });
  it('forgets every token of the session at logout', async () => {
    const c = await loginCitizen(client);
    expect((await client.call('POST', '/logout', { token: c.sessionToken })).json).toEqual({ message: 'ok' });
    expect((await client.get('/api/v1/session', c.sessionToken)).status).toBe(401);
    expect((await client.get('/pp-restapi-CD/v2/wallet', c.pmToken)).status).toBe(401);
    expect((await client.get('/bpd/io/citizen', c.bpdToken)).status).toBe(401);
  });
});

describe('GET /info and the status files', () => {
  it('reports min_app_version per platform and changes it at run time', async () => {
    const before = await client.get('/info');
    expect(before.json.min_app_version).toEqual({ ios: '0.0.0', android: '0.0.0' });
    const put = await client.call('PUT', '/__picco/info', { body: { min_app_version: { ios: '1.14.0', android: '1.14.0.1' } } });
    expect(put.status).toBe(200);
    const after = await client.get('/info');
    expect(after.json.min_app_version).toEqual({ ios: '1.14.0', android: '1.14.0.1' });
    expect(after.json.min_app_version_pagopa).toEqual({ ios: '0.0.0', android: '0.0.0' });
    expect((await client.call('PUT', '/__picco/info', { body: { min_app_version: { ios: 'x' } } })).status).toBe(400);
    expect((await client.call('PUT', '/__picco/info', { body: { other: 1 } })).status).toBe(400);
  });
  it('serves the CDN backend.json and abi.json', async () => {
    expect((await client.get('/status/backend.json')).json.is_alive).toBe(true);
    expect((await client.get('/status/abi.json')).json.data.length).toBeGreaterThan(5);
  });
  it('answers unknown routes and methods with 404 route.not_found', async () => {
    const r = await client.get('/api/v1/nope');
    expect(r.status).toBe(404);
    expect(r.json.code).toBe('route.not_found');
    expect((await client.call('DELETE', '/info')).status).toBe(404);
  });
  it('serves the health check and the downstream state', async () => {
    expect((await client.get('/__picco/health')).json.status).toBe('ok');
    expect((await client.get('/__picco/downstream')).json.acquirer.inFlight).toBe(0);
  });
});
