/**
 * One journey request's response, collected straight from undici's `dispatch`: the status, the
 * two headers a journey reads (content-type, location) and the body as text. It implements
 * undici's original handler interface (onConnect, onHeaders, onData, onComplete, onError), which
 * undici 7 drives without wrapping (see fast-client.ts).
 *
 * Why not `Pool.request`: it builds, per request, an async resource, a Readable stream for the
 * body, a header object of every header, and then `body.text()` consumes the stream through
 * further promises; the engine paid more CPU per request for that than the target under test
 * paid to answer it (summary.json: generator.cpuUsPerRequest). Here a
 * request costs this object, its chunk list and one promise.
 *
 * @example
 * const r = await collect(pool, { path: '/v2/wallet', method: 'GET', headers: {} });
 * r.status; r.contentType; r.text();
 */
import type { Dispatcher } from 'undici';

export interface Collected {
  status: number;
  contentType: string | undefined;
  location: string | undefined;
  /** The body decoded as UTF-8 (a leading byte-order mark dropped, as `body.text()` does). */
  text(): string;
}

class ResponseCollector implements Dispatcher.DispatchHandler, Collected {
  status = 0;
  contentType: string | undefined;
  location: string | undefined;
  private first: Buffer | undefined;
  private rest: Buffer[] | undefined;

  constructor(
    private readonly resolve: (r: Collected) => void,
    private readonly reject: (err: Error) => void,
  ) {}

  onConnect(): void {}

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    this.status = statusCode;
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
      const name = rawHeaders[i]!;
      // Only two names are read: compare lengths before decoding any.
      if (name.length === 12 && this.contentType === undefined && name.toString('latin1').toLowerCase() === 'content-type') {
        this.contentType = rawHeaders[i + 1]!.toString('latin1');
      } else if (name.length === 8 && this.location === undefined && name.toString('latin1').toLowerCase() === 'location') {
        this.location = rawHeaders[i + 1]!.toString('latin1');
      }
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.first === undefined) this.first = chunk;
    else (this.rest ??= []).push(chunk);
    return true;
  }

  onComplete(): void {
    this.resolve(this);
  }

  onError(err: Error): void {
    this.reject(err);
  }

  text(): string {
    if (this.first === undefined) return '';
    const s = (this.rest === undefined ? this.first : Buffer.concat([this.first, ...this.rest])).toString('utf8');
    return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
  }
}

/** Sends one request on `dispatcher` and resolves with its whole response; rejects with undici's error. */
export function collect(dispatcher: Dispatcher, opts: Dispatcher.DispatchOptions): Promise<Collected> {
  return new Promise<Collected>((resolve, reject) => {
    dispatcher.dispatch(opts, new ResponseCollector(resolve, reject));
  });
}
