/**
 * The ad hoc (`--url`) hot path: one request template sent over `connections` undici `Client`s
 * with `dispatch` and preallocated handler objects, so a request costs no promise, no closure, no
 * string building and no allocation of ours. Method, path, header list and body are rendered once.
 *
 * Why not a `Pool`: the pool's connection pick, its request queue and its `drain` events cost
 * more per request than the request's own JavaScript (bench/transport.ts measures both). Here
 * each connection owns `pipelining` handler slots; a free slot is a place on a connection, so
 * picking a connection is popping a stack. Arrivals that find no free slot wait in a ring of
 * intended times (no object per waiting request) and go out, in order, as slots free up: they are
 * in flight (they count against the in-flight cap), and their wait is part of their latency.
 *
 * With pipelining, every request written in one task (an engine tick, or one read of responses)
 * goes to its socket corked and is flushed once at the task's end: one `writev` per socket
 * instead of one `write` per request. Without pipelining a socket gets at most one request per
 * task, so nothing is corked.
 *
 * Latency is taken from the intended start the engine passes in; service time from `onConnect`,
 * i.e. when undici writes the request to its connection.
 *
 * @example
 * const c = new FastClient({ url, method: 'GET', connections: 64, pipelining: 1, timeoutMs: 10_000 }, rec);
 * c.send(intendedMs); // completion is recorded into rec
 */
import type { Socket } from 'node:net';
import { buildConnector, Client, type Dispatcher } from 'undici';
import { classifyError } from './classify.ts';
import { Recorder, type EndpointStats } from '../metrics/recorder.ts';
import { threadLoop, type LoopWatch } from '../metrics/loop-watch.ts';
import { now } from '../runner/clock.ts';

export interface FastRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: Buffer;
  connections: number;
  pipelining: number;
  timeoutMs: number;
  /** The label requests are reported under. Default `METHOD /path`. */
  endpoint?: string;
}

const RUN = 0;
const WARM = 1;
const REHEARSAL = 2;

/** One connection and the socket it currently writes to (replaced on reconnect). */
interface Conn {
  client: Client;
  socket: Socket | null;
  corked: boolean;
}

/**
 * One place for a request on one connection. It implements undici's original handler interface
 * (onConnect, onHeaders, onData, onComplete, onError): undici 7 drives it directly, whereas a
 * handler with the newer onRequestStart/onResponse* methods is wrapped per request (two objects,
 * and the response headers parsed into an object we never read).
 */
class Slot implements Dispatcher.DispatchHandler {
  intendedMs = 0;
  /**
   * The generator's part of this request's latency before its response: how late the engine
   * released it, plus, for a request that waited for a slot, how much later than a prompt engine
   * the slot it got came free (see FastClient.pump). Its read delay is added at completion.
   */
  genMs = 0;
  /** How much later than a prompt engine this request went out (its slot frees that much later too). */
  lateMs = 0;
  sentMs = 0;
  status = 0;
  /** What the request is: RUN, WARM (closed-loop warm-up, not in flight) or REHEARSAL (the schedule's warm run). */
  kind = RUN;
  next: Slot | null = null;
  constructor(
    private readonly owner: FastClient,
    readonly conn: Conn,
  ) {}
  onConnect(): void {
    this.sentMs = now();
    this.owner.writing(this.conn);
  }
  onHeaders(statusCode: number): boolean {
    this.status = statusCode;
    return true;
  }
  onData(): boolean {
    return true;
  }
  onComplete(): void {
    this.owner.done(this, undefined);
  }
  onError(err: Error): void {
    this.owner.done(this, err);
  }
}

export class FastClient {
  /** Requests sent and not finished, including those waiting for a free slot. */
  inFlight = 0;
  private free: Slot | null = null;
  private readonly conns: Conn[] = [];
  private readonly opts: Dispatcher.DispatchOptions;
  private readonly ep: EndpointStats;
  private readonly cork: boolean;
  private readonly toUncork: Conn[] = [];
  private readonly uncorkAll = (): void => {
    for (const c of this.toUncork) {
      c.corked = false;
      c.socket?.uncork();
    }
    this.toUncork.length = 0;
  };
  /** Intended times (and release lags) of requests waiting for a slot: a ring, grown by doubling. */
  private wait = new Float64Array(1024);
  private waitLag = new Float64Array(1024);
  private head = 0;
  private waiting = 0;
  private pumping = false;
  private closed = false;
  private onIdle: (() => void) | undefined;
  /** Warm-up requests go through the same slots and code into this recorder, then it is dropped. */
  private readonly warmRec = new Recorder();
  private readonly warmEp: EndpointStats;
  private warmInFlight = 0;
  private warmNext: (() => void) | undefined;
  /** While true, sends are the rehearsal's: recorded into the scratch recorder, counted in `rehearsed`. */
  rehearsing = false;
  /** Requests the rehearsal sent (unrecorded, like the warm-up's). */
  rehearsed = 0;
  private readonly loop: LoopWatch = threadLoop();

  constructor(
    req: FastRequest,
    private readonly rec: Recorder,
  ) {
    const u = new URL(req.url);
    const connector = buildConnector({ timeout: Math.min(req.timeoutMs, 10_000) });
    for (let i = 0; i < req.connections; i++) {
      const conn: Conn = { client: undefined as unknown as Client, socket: null, corked: false };
      conn.client = new Client(u.origin, {
        pipelining: req.pipelining,
        keepAliveTimeout: 60_000,
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
        connect: (o, cb) =>
          connector(o, (err, socket) => {
            conn.socket = err === null ? (socket as Socket) : null;
            conn.corked = false;
            (cb as (e: Error | null, s: unknown) => void)(err, socket);
          }),
      });
      this.conns.push(conn);
    }
    // Slots pushed so that the first ones popped spread over the connections.
    for (let depth = req.pipelining - 1; depth >= 0; depth--) {
      for (let i = req.connections - 1; i >= 0; i--) {
        const s = new Slot(this, this.conns[i]!);
        s.next = this.free;
        this.free = s;
      }
    }
    this.cork = req.pipelining > 1;
    const headers: string[] = [];
    for (const [k, v] of Object.entries(req.headers)) headers.push(k, v);
    this.opts = {
      path: u.pathname + u.search,
      method: req.method as Dispatcher.HttpMethod,
      headers,
      body: req.body ?? null,
      blocking: false,
      headersTimeout: req.timeoutMs,
      bodyTimeout: req.timeoutMs,
    };
    this.ep = rec.endpoint(req.endpoint ?? `${req.method} ${u.pathname}`);
    this.warmEp = this.warmRec.endpoint(this.ep.name);
  }

  /** Sends one request intended at `intendedMs`, released `lagMs` late. */
  send(intendedMs: number, lagMs = 0): void {
    this.inFlight++;
    this.rec.started++;
    if (this.rehearsing) this.rehearsed++;
    const s = this.free;
    if (s === null || this.waiting > 0) {
      this.enqueue(intendedMs, lagMs);
      return;
    }
    this.free = s.next;
    this.dispatch(s, intendedMs, lagMs, this.rehearsing ? REHEARSAL : RUN);
  }

  private dispatch(s: Slot, intendedMs: number, lagMs: number, kind: number, lateMs = lagMs): void {
    s.intendedMs = intendedMs;
    s.genMs = lagMs;
    s.lateMs = lateMs;
    s.sentMs = 0;
    s.status = 0;
    s.kind = kind;
    s.conn.client.dispatch(this.opts, s);
  }

  /** Called by a slot just before undici writes its request: cork the socket for this task. */
  writing(c: Conn): void {
    if (!this.cork || c.corked || c.socket === null) return;
    c.corked = true;
    c.socket.cork();
    if (this.toUncork.push(c) === 1) queueMicrotask(this.uncorkAll);
  }

  private enqueue(intendedMs: number, lagMs: number): void {
    if (this.waiting === this.wait.length) {
      const n = this.wait.length;
      const grown = new Float64Array(n * 2);
      const grownLag = new Float64Array(n * 2);
      for (let k = 0; k < this.waiting; k++) {
        grown[k] = this.wait[(this.head + k) % n]!;
        grownLag[k] = this.waitLag[(this.head + k) % n]!;
      }
      this.wait = grown;
      this.waitLag = grownLag;
      this.head = 0;
    }
    const at = (this.head + this.waiting) % this.wait.length;
    this.wait[at] = intendedMs;
    this.waitLag[at] = lagMs;
    this.waiting++;
  }

  /**
   * Sends waiting requests while slots are free (a loop, never recursion, if a send fails at once).
   * A waiting request's wait is the target's (its connections were busy) except for how much later
   * than a prompt engine the slot came free: `freedLateMs`, the freeing request's own late start
   * plus its read delay. That part, at most the wait, is the generator's and is carried on.
   */
  private pump(freedLateMs = 0): void {
    if (this.pumping || this.closed) return;
    this.pumping = true;
    const t = now();
    while (this.waiting > 0 && this.free !== null) {
      const s = this.free;
      this.free = s.next;
      const intended = this.wait[this.head]!;
      const lag = this.waitLag[this.head]!;
      this.head = (this.head + 1) % this.wait.length;
      this.waiting--;
      const wait = t - intended - lag;
      const carry = freedLateMs < wait ? freedLateMs : wait > 0 ? wait : 0;
      freedLateMs = 0; // only the slot just freed came free late; any other was free already
      this.dispatch(s, intended, lag + carry, this.rehearsing ? REHEARSAL : RUN, carry);
    }
    this.pumping = false;
  }

  done(s: Slot, err: Error | undefined): void {
    const t = now();
    const sent = s.sentMs === 0 ? t : s.sentMs;
    const kind = s.kind;
    const rec = kind === RUN ? this.rec : this.warmRec;
    const ep = kind === RUN ? this.ep : this.warmEp;
    const read = this.loop.readDelay(t, t - sent);
    if (err === undefined) {
      const ok = s.status >= 200 && s.status < 300;
      rec.complete(ep, s.status, ok, ok ? undefined : 'unexpected_status', t - s.intendedMs, t - sent, read, s.genMs);
    } else {
      rec.complete(ep, 0, false, classifyError(err), t - s.intendedMs, t - sent, read, s.genMs);
    }
    const freedLate = s.lateMs + read;
    s.next = this.free;
    this.free = s;
    if (kind === WARM) {
      this.warmInFlight--;
      this.warmNext?.();
    } else this.inFlight--;
    if (this.waiting > 0) this.pump(freedLate);
    else if (this.inFlight === 0 && this.onIdle !== undefined) this.onIdle();
  }

  /**
   * Opens the connections and warms the JIT before the clock starts: up to `total` requests,
   * `concurrency` at a time, within `budgetMs`, through the same slots, handler and recording
   * code as the run's requests (so the first second does not run cold code), into a scratch
   * recorder that is read out once and dropped. Returns how many were sent (to subtract from a
   * target-side count). Stragglers past the budget finish unrecorded.
   */
  warmup(total: number, concurrency: number, budgetMs = 1500): Promise<number> {
    if (total <= 0) return Promise.resolve(0);
    const deadline = now() + budgetMs;
    let sent = 0;
    return new Promise((resolve) => {
      let over = false;
      const end = (): void => {
        if (over) return;
        over = true;
        clearTimeout(timer);
        this.warmNext = undefined;
        this.warmRec.snapshot(0, 0);
        resolve(sent);
      };
      // A slow target must not hold the start: past the budget, stop and go.
      const timer = setTimeout(end, budgetMs + 500);
      const fire = (): void => {
        const s = this.free;
        if (s === null) return;
        this.free = s.next;
        sent++;
        this.warmInFlight++;
        this.dispatch(s, now(), 0, WARM);
      };
      // A request failing synchronously completes inside fire(): go on from the next turn, not recursively.
      let depth = 1;
      this.warmNext = (): void => {
        if (depth > 0) {
          setImmediate(() => this.warmNext?.());
          return;
        }
        depth++;
        if (!over && sent < total && now() < deadline) fire();
        else if (this.warmInFlight === 0) end();
        depth--;
      };
      for (let i = 0; i < Math.min(concurrency, total); i++) fire();
      depth--;
    });
  }

  /**
   * Ends the rehearsal: its requests still waiting for a slot are dropped unsent (their intended
   * times are on the rehearsal's clock, not the run's); those on the wire finish unrecorded.
   */
  endRehearsal(): void {
    this.rehearsing = false;
    this.inFlight -= this.waiting;
    this.rehearsed -= this.waiting;
    this.waiting = 0;
    this.head = 0;
  }

  /** Resolves once nothing is in flight. */
  drained(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.onIdle = resolve;
    });
  }

  /** Closes the connections; `force` aborts what is still in flight (waiting requests are not sent). */
  async close(force = false): Promise<void> {
    this.closed = true;
    await Promise.all(this.conns.map((c) => (force ? c.client.destroy() : c.client.close())));
  }
}
