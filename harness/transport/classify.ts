/**
 * Maps a transport error (undici or node:net) to picco's closed set of failure kinds, and a
 * status to its class. A failure is data: it is counted under its kind and the run goes on.
 *
 * @example
 * classifyError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })); // 'connect_refused'
 */
import type { FailureKind } from '../scenario/types.ts';

export function classifyError(err: unknown): FailureKind {
  const e = err as { code?: string; cause?: { code?: string } } | null;
  const code = e?.code ?? e?.cause?.code ?? '';
  switch (code) {
    case 'ECONNREFUSED':
      return 'connect_refused';
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return 'connect_timeout';
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'PICCO_ERR_TIMEOUT':
      return 'timeout';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return 'reset';
    default:
      return 'other';
  }
}

/** '2xx', '4xx', ... ; '0xx' for transport failures. */
export function statusClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}

export function isExpected(status: number, expect: readonly number[] | undefined): boolean {
  return expect === undefined ? status >= 200 && status < 300 : expect.includes(status);
}
