/**
 * Admission at the socket's edge: the same bulkheads as the Hono middleware, applied in the
 * raw node:http request listener, before @hono/node-server builds a Request, before routing,
 * before any middleware runs. A shed request costs Node's HTTP parse and one pre-rendered
 * response (a few microseconds), which is what keeps goodput near capacity at 2× overload: in a
 * single event loop every refusal is paid for with the same CPU the admitted requests need, so
 * the cheaper the refusal, the more of the CPU is left for goodput.
 *
 * The permit is held until the response has finished (or the socket closed), and the service
 * time from admission to then feeds the class's limiter. Refusals are counted in
 * http_requests_total under the route label `admission:<class>` and in admission_rejected_total.
 *
 * @example
 * serve({ fetch: app.fetch, port, createServer: gatedCreateServer(admission) });
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import type { Admission, Refusal } from './middleware.ts';
import type { RouteClass } from './route-classes.ts';
import type { Bulkhead } from './bulkhead.ts';

export interface GateHooks {
  /** Called once per refusal (metrics). */
  onRefuse?: (method: string, r: Refusal) => void;
}

const bodies = new Map<string, Buffer>();
function refusalBody(routeClass: RouteClass, retryAfterS: number): Buffer {
  const k = `${routeClass}:${retryAfterS}`;
  let b = bodies.get(k);
  if (b === undefined) {
    b = Buffer.from(JSON.stringify({ code: 'server.overloaded', message: 'the server is shedding load',
      detail: `${routeClass} is at capacity; retry after ${retryAfterS} s` }));
    bodies.set(k, b);
  }
  return b;
}

function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

const BULKHEAD = Symbol('bulkhead');
const ADMITTED_AT = Symbol('admittedAt');
type Permitted = ServerResponse & { [BULKHEAD]?: Bulkhead | undefined; [ADMITTED_AT]?: number };

/** Gives the response's permit back once (its 'close'), feeding the service time to the limiter. */
function release(this: Permitted): void {
  const b = this[BULKHEAD];
  if (b === undefined) return;
  this[BULKHEAD] = undefined;
  const s = this.statusCode;
  b.leave(performance.now() - (this[ADMITTED_AT] ?? 0), !this.writableFinished ? 'ignore' : s === 504 ? 'dropped' : s >= 500 ? 'ignore' : 'ok');
}

/** Wraps a request listener with admission control. */
export function gateListener(adm: Admission, listener: RequestListener, hooks: GateHooks = {}): RequestListener {
  const refuse = (req: IncomingMessage, res: ServerResponse, routeClass: RouteClass, reason: Refusal['reason']): void => {
    const retryAfterS = reason === 'loop_lag' ? 2 : 1;
    adm.noteRefusal(routeClass, reason);
    hooks.onRefuse?.(req.method ?? 'GET', { routeClass, reason, retryAfterS });
    const body = refusalBody(routeClass, retryAfterS);
    res.writeHead(503, { 'content-type': 'application/json', 'content-length': body.length, 'retry-after': String(retryAfterS) });
    res.end(body);
  };
  const admitted = (req: IncomingMessage, res: ServerResponse, routeClass: RouteClass): void => {
    const permit = res as Permitted;
    permit[BULKHEAD] = adm.bulkheads.get(routeClass)!;
    permit[ADMITTED_AT] = performance.now();
    // One listener and no closure per request: 'close' follows 'finish' on a ServerResponse,
    // and also comes alone when the socket closed first.
    res.on('close', release);
    listener(req, res);
  };
  return (req, res) => {
    const routeClass = adm.classify(req.method ?? 'GET', pathOf(req.url));
    if (routeClass === null) {
      listener(req, res);
      return;
    }
    const b = adm.bulkheads.get(routeClass)!;
    if (adm.lagSheds(routeClass)) return refuse(req, res, routeClass, 'loop_lag');
    if (b.tryEnter()) return admitted(req, res, routeClass);
    if (b.waiting >= b.config.maxQueue) return refuse(req, res, routeClass, 'limit');
    void b.wait().then((ok) => {
      if (ok) admitted(req, res, routeClass);
      else refuse(req, res, routeClass, 'queue_timeout');
    });
  };
}

/** A `createServer` for @hono/node-server's `serve` that gates every request. */
export function gatedCreateServer(adm: Admission, hooks: GateHooks = {}): typeof createServer {
  return ((options?: ServerOptions | RequestListener, listener?: RequestListener): Server => {
    if (typeof options === 'function') return createServer(gateListener(adm, options, hooks));
    return createServer(options ?? {}, listener === undefined ? undefined : gateListener(adm, listener, hooks));
  }) as typeof createServer;
}
