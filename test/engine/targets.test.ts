import { describe, expect, it } from 'vitest';
import { resolveTargets, targetsAt } from '../../cli/targets.ts';
import { Problems } from '../../harness/config/problems.ts';
import { ORIGINS_2020 } from '../../scenarios/origins.ts';

const SHOP = { auth: {}, shop: { basePath: '/v2' } };

function resolve(v: Parameters<typeof resolveTargets>[0], origins: Parameters<typeof resolveTargets>[1] = SHOP) {
  const p = new Problems();
  return { targets: resolveTargets(v, origins, p), problems: p.list };
}

describe('--target', () => {
  it('puts every origin at one URL plus its base path', () => {
    expect(resolve({ target: ['http://127.0.0.1:8080/'] }).targets).toEqual({ auth: 'http://127.0.0.1:8080', shop: 'http://127.0.0.1:8080/v2' });
    expect(targetsAt('http://127.0.0.1:1', ORIGINS_2020)).toEqual({ io: 'http://127.0.0.1:1', pm: 'http://127.0.0.1:1/pp-restapi-CD', bpd: 'http://127.0.0.1:1' });
  });

  it('gives each named origin its own URL, the base path appended only where the URL has no path', () => {
    const r = resolve({ target: ['auth=http://127.0.0.1:1', 'shop=http://127.0.0.1:2'] });
    expect(r.targets).toEqual({ auth: 'http://127.0.0.1:1', shop: 'http://127.0.0.1:2/v2' });
    expect(resolve({ target: ['auth=http://a:1', 'shop=http://b:2/custom/'] }).targets).toEqual({ auth: 'http://a:1', shop: 'http://b:2/custom' });
  });

  it('lets a named origin override one bare URL for the rest', () => {
    expect(resolve({ target: ['http://a:1', 'shop=http://b:2'] }).targets).toEqual({ auth: 'http://a:1', shop: 'http://b:2/v2' });
  });

  it('keeps --target-io/-pm/-bpd as aliases of the 2020 origins', () => {
    const r = resolve({ 'target-io': 'https://io.example', 'target-pm': 'https://pm.example/pp-restapi-CD', 'target-bpd': 'https://bpd.example' }, ORIGINS_2020);
    expect(r.targets).toEqual({ io: 'https://io.example', pm: 'https://pm.example/pp-restapi-CD', bpd: 'https://bpd.example' });
  });

  it('names an unknown origin and lists the scenario\'s origins', () => {
    const r = resolve({ target: ['cart=http://a:1', 'auth=http://a:1', 'shop=http://a:2'] });
    expect(r.targets).toBeUndefined();
    expect(r.problems).toEqual(["--target cart=: the scenario has no origin 'cart'; its origins: auth, shop"]);
  });

  it('names the origins left without a URL', () => {
    const r = resolve({ target: ['auth=http://a:1'] });
    expect(r.targets).toBeUndefined();
    expect(r.problems[0]).toMatch(/no URL for origin shop: give --target shop=URL/);
    expect(resolve({ 'target-io': 'http://a:1' }, ORIGINS_2020).problems[0]).toMatch(/no URL for origins pm, bpd/);
  });

  it('rejects what is not a URL, two bare URLs and an origin given twice', () => {
    expect(resolve({ target: ['localhost:8080'] }).problems[0]).toMatch(/'localhost:8080' is not a URL or NAME=URL/);
    expect(resolve({ target: ['http://a:1', 'http://b:1'] }).problems[0]).toMatch(/two URLs/);
    expect(resolve({ target: ['auth=http://a:1', 'auth=http://b:1', 'shop=http://a:1'] }).problems[0]).toMatch(/'auth' is given twice/);
    expect(resolve({ target: ['auth=nope', 'shop=http://a:1'] }).problems[0]).toMatch(/'nope' is not a URL/);
  });

  it('is absent when no target flag is given (the embedded server then)', () => {
    expect(resolve({}).targets).toBeUndefined();
    expect(resolve({}).problems).toEqual([]);
  });
});
