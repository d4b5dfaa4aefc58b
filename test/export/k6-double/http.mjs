// k6/http test double: the same synchronous API as k6 (http.request blocks the VU and returns
// the response), implemented with a fetch worker and Atomics.wait.
import { Worker } from 'node:worker_threads';
import { state } from './state.mjs';

const sab = new SharedArrayBuffer(8 + 16 * 1024 * 1024);
const ctrl = new Int32Array(sab, 0, 2);
const data = new Uint8Array(sab, 8);
const worker = new Worker(new URL('./sync-fetch-worker.mjs', import.meta.url), { workerData: { sab } });
worker.unref();

function parseDuration(t) {
  if (typeof t === 'number') return t;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(String(t ?? '60s'));
  if (!m) throw new Error(`k6/http: bad timeout ${t}`);
  return Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 's' ? 1000 : 60000);
}

function request(method, url, body, params = {}) {
  if (typeof url !== 'string' || !/^https?:\/\//.test(url)) throw new Error(`k6/http: url must be absolute, got ${url}`);
  Atomics.store(ctrl, 0, 0);
  worker.postMessage({ method, url, headers: params.headers ?? {}, body: body ?? null, timeoutMs: parseDuration(params.timeout) });
  Atomics.wait(ctrl, 0, 0);
  const out = JSON.parse(new TextDecoder().decode(data.slice(0, Atomics.load(ctrl, 1))));
  const expected = params.responseCallback?.expected ?? [[200, 399]];
  const failed = out.status === 0 || !expected.some((e) => (Array.isArray(e) ? out.status >= e[0] && out.status <= e[1] : out.status === e));
  state.requests.push({ method, url, status: out.status, tags: { ...(params.tags ?? {}) }, failed, scenario: state.scenario.name });
  return {
    status: out.status,
    body: out.body,
    headers: out.headers,
    error: out.error ?? '',
    error_code: out.errorCode,
    timings: { duration: out.durationMs, waiting: out.durationMs, sending: 0, receiving: 0, blocked: 0, connecting: 0 },
    json() { return JSON.parse(out.body); },
  };
}

function expectedStatuses(...list) {
  return { expected: list.map((e) => (typeof e === 'object' ? [e.min, e.max] : e)) };
}

const http = {
  request,
  get: (url, params) => request('GET', url, null, params),
  del: (url, body, params) => request('DELETE', url, body, params),
  post: (url, body, params) => request('POST', url, body, params),
  put: (url, body, params) => request('PUT', url, body, params),
  patch: (url, body, params) => request('PATCH', url, body, params),
  asyncRequest: (...a) => Promise.resolve(request(...a)),
  expectedStatuses,
};
export default http;
export { request, expectedStatuses };
