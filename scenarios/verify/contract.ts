/**
 * The API contract check of `picco verify`: every exchange a check made is validated against
 * reference-server/openapi.yaml with openapi-backend (Ajv underneath): the operation must exist,
 * the request must match its parameters and body schema, the response status must be declared,
 * the headers the contract gives that status (Retry-After, Location) must be there when required
 * and well-formed when sent, and a JSON response must match the declared schema. A finding names the exchange's endpoint,
 * the check that made it and what differs, so a vendor reads "PATCH /bpd/io/citizen answered
 * 500, not declared" rather than an Ajv dump.
 *
 * The document is read once; operations without an operationId get one (openapi-backend keys
 * its validators by operationId). Paths are matched as sent, then with each `servers` base path
 * removed, so a spec written per API base (`/pp-restapi-CD`) and one written on one origin both
 * work.
 *
 * @example
 * const contract = await Contract.load('reference-server/openapi.yaml');
 * contract.validate(exchange); // [] when the exchange honours the contract
 */
import { PiccoError } from '../../harness/errors.ts';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import * as openapiBackend from 'openapi-backend';
import * as ajvFormats from 'ajv-formats';
import type { Exchange } from './client.ts';

// Both packages are CommonJS; Node and Vite hand their exports over differently, so take the
// constructor and the plugin from wherever this loader put them.
type Backend = typeof import('openapi-backend').OpenAPIBackend;
const ob = openapiBackend as unknown as { OpenAPIBackend?: Backend; default?: { OpenAPIBackend?: Backend } & Backend };
const OpenAPIBackend = (ob.OpenAPIBackend ?? ob.default?.OpenAPIBackend ?? ob.default) as Backend;
const af = ajvFormats as unknown as { default?: unknown };
const addFormats = (typeof af.default === 'function' ? af.default : (af.default as { default?: unknown } | undefined)?.default ?? ajvFormats) as (ajv: never) => unknown;
type Api = InstanceType<typeof OpenAPIBackend>;
type Operation = NonNullable<ReturnType<Api['matchOperation']>>;

export interface ContractFinding {
  check: string;
  endpoint: string;
  method: string;
  path: string;
  status: number;
  problem: string;
}

export interface SecuredOperation {
  method: string;
  /** Path template as in the spec, e.g. /bpd/io/payment-instruments/{id}. */
  path: string;
  operationId: string;
  /** Names of the path parameters. */
  params: string[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

export class ContractError extends PiccoError {
  constructor(message: string, options?: ErrorOptions) {
    super('PICCO_ERR_CONTRACT', message, options);
  }
}

export class Contract {
  private constructor(
    private readonly api: Api,
    readonly document: Record<string, any>,
    private readonly bases: string[],
  ) {}

  static async load(path: string): Promise<Contract> {
    let doc: Record<string, any>;
    try {
      doc = parseYaml(readFileSync(path, 'utf8')) as Record<string, any>;
    } catch (err) {
      throw new ContractError(`cannot read the API contract ${path}: ${(err as Error).message.split('\n')[0]}`);
    }
    for (const [p, item] of Object.entries<Record<string, any>>(doc['paths'] ?? {})) {
      for (const m of METHODS) {
        const op = item[m];
        if (op !== undefined && typeof op.operationId !== 'string') op.operationId = `${m}_${p}`.replace(/[^A-Za-z0-9_]+/g, '_');
      }
    }
    const api = new OpenAPIBackend({
      definition: doc as never, strict: false, validate: true, quick: false, ajvOpts: { strict: false, allErrors: true } as never,
      customizeAjv: (ajv) => {
        addFormats(ajv as never);
        return ajv;
      },
    });
    await api.init();
    const bases = ((doc['servers'] ?? []) as Array<{ url?: string }>)
      .map((s) => {
        try {
          return new URL(s.url ?? '', 'http://base.invalid').pathname.replace(/\/+$/, '');
        } catch {
          return '';
        }
      })
      .filter((b) => b !== '')
      .sort((a, b) => b.length - a.length);
    return new Contract(api, doc, bases);
  }

  private match(method: string, pathname: string): { op: Operation; path: string } | undefined {
    const candidates = [pathname, ...this.bases.filter((b) => pathname.startsWith(`${b}/`)).map((b) => pathname.slice(b.length))];
    for (const path of candidates) {
      const op = this.api.matchOperation({ method, path, headers: {} });
      if (op !== undefined) return { op, path };
    }
    return undefined;
  }

  /** Findings for one exchange; [] when it honours the contract. Transport failures are not contract findings. */
  validate(ex: Exchange): ContractFinding[] {
    if (ex.status === 0) return [];
    const u = new URL(ex.url);
    const base: Omit<ContractFinding, 'problem'> = { check: ex.check, endpoint: ex.endpoint, method: ex.method, path: u.pathname, status: ex.status };
    const m = this.match(ex.method, u.pathname);
    if (m === undefined) return [{ ...base, problem: `${ex.method} ${u.pathname} is not an operation of the contract` }];
    const out: ContractFinding[] = [];
    let body: unknown = ex.requestBody;
    if (typeof body === 'string' && (ex.requestHeaders['content-type'] ?? '').includes('json')) {
      try {
        body = JSON.parse(body);
      } catch {
        /* left as text: the validator reports it */
      }
    }
    const query: Record<string, string> = {};
    u.searchParams.forEach((v, k) => (query[k] = v));
    const rq = ex.notClientRequest !== undefined ? { errors: [] } : this.api.validateRequest({ method: ex.method, path: m.path, headers: lower(ex.requestHeaders), query, body: body as never }, m.op);
    for (const e of rq.errors ?? []) out.push({ ...base, problem: `request ${e.instancePath || ''} ${e.message ?? ''}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`.replace(/\s+/g, ' ').trim() });
    const responses = (m.op.responses ?? {}) as Record<string, any>;
    const declared = responses[String(ex.status)] ?? responses[`${String(ex.status)[0]}XX`] ?? responses['default'];
    if (declared === undefined) {
      out.push({ ...base, problem: `status ${ex.status} is not declared for ${m.op.method.toUpperCase()} ${m.op.path} (declared: ${Object.keys(responses).join(', ')})` });
      return out;
    }
    // Headers the contract gives this status (Retry-After on a 429, Location on a 302): present when required, well-formed when sent.
    for (const [name, spec] of Object.entries<Record<string, any>>(declared.headers ?? {})) {
      if (this.deref(spec)?.required === true && ex.responseHeaders[name.toLowerCase()] === undefined) {
        out.push({ ...base, problem: `response ${ex.status} lacks the ${name} header the contract requires` });
      }
    }
    const rh = this.api.validateResponseHeaders(lower(ex.responseHeaders), m.op, { statusCode: ex.status });
    for (const e of rh.errors ?? []) out.push({ ...base, problem: `response header ${e.instancePath || ''} ${e.message ?? ''}`.replace(/\s+/g, ' ').trim() });
    const declaresBody = declared.content !== undefined && Object.keys(declared.content).length > 0;
    if (declaresBody && ex.json !== undefined) {
      const rs = this.api.validateResponse(ex.json, m.op, ex.status);
      for (const e of rs.errors ?? []) out.push({ ...base, problem: `response ${e.instancePath || '(root)'} ${e.message ?? ''}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`.replace(/\s+/g, ' ').trim() });
    } else if (declaresBody && ex.responseText !== '' && declared.content['application/json'] !== undefined) {
      out.push({ ...base, problem: `response to ${m.op.method.toUpperCase()} ${m.op.path} ${ex.status} is not JSON` });
    }
    return out;
  }

  /** Operations the contract protects with a security requirement (own or global). */
  securedOperations(): SecuredOperation[] {
    const global = (this.document['security'] ?? []) as unknown[];
    const out: SecuredOperation[] = [];
    for (const [p, item] of Object.entries<Record<string, any>>(this.document['paths'] ?? {})) {
      for (const m of METHODS) {
        const op = item[m];
        if (op === undefined) continue;
        const sec = (op.security ?? global) as Array<Record<string, unknown>>;
        // `security: []` or a `{}` alternative means anonymous access is allowed.
        if (sec.length === 0 || sec.some((s) => Object.keys(s).length === 0)) continue;
        out.push({ method: m.toUpperCase(), path: p, operationId: op.operationId as string, params: [...p.matchAll(/\{([^}]+)\}/g)].map((x) => x[1]!) });
      }
    }
    return out;
  }

  /** Operations declaring an `Idempotency-Key` header parameter. */
  idempotentOperations(): Array<{ method: string; path: string }> {
    const out: Array<{ method: string; path: string }> = [];
    for (const [p, item] of Object.entries<Record<string, any>>(this.document['paths'] ?? {})) {
      for (const m of METHODS) {
        const op = item[m];
        if (op === undefined) continue;
        const params = [...((item['parameters'] ?? []) as any[]), ...((op.parameters ?? []) as any[])].map((x) => this.deref(x));
        if (params.some((x) => x?.in === 'header' && String(x?.name).toLowerCase() === 'idempotency-key')) out.push({ method: m.toUpperCase(), path: p });
      }
    }
    return out;
  }

  private deref(x: any): any {
    if (x === null || typeof x !== 'object' || typeof x.$ref !== 'string') return x;
    return (x.$ref as string).replace(/^#\//, '').split('/').reduce<any>((o, k) => (o === undefined ? undefined : o[k.replace(/~1/g, '/').replace(/~0/g, '~')]), this.document);
  }
}

function lower(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}
