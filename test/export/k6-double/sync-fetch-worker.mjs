// The worker behind the double's synchronous http.request: fetches, writes the response as
// length-prefixed JSON into the shared buffer, and wakes the blocked caller (Atomics.notify).
import { parentPort, workerData } from 'node:worker_threads';

const ctrl = new Int32Array(workerData.sab, 0, 2);
const data = new Uint8Array(workerData.sab, 8);

parentPort.on('message', async (req) => {
  const t0 = performance.now();
  let out;
  try {
    const res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body ?? undefined, signal: AbortSignal.timeout(req.timeoutMs) });
    const body = await res.text();
    const headers = {};
    res.headers.forEach((v, k) => { headers[k.replace(/(^|-)([a-z])/g, (_, d, c) => d + c.toUpperCase())] = v; });
    out = { status: res.status, body, headers, durationMs: performance.now() - t0, errorCode: 0 };
  } catch (err) {
    out = { status: 0, body: null, headers: {}, durationMs: performance.now() - t0, errorCode: err?.name === 'TimeoutError' ? 1050 : 1000, error: String(err?.message ?? err) };
  }
  const bytes = new TextEncoder().encode(JSON.stringify(out));
  data.set(bytes.subarray(0, data.length));
  Atomics.store(ctrl, 1, Math.min(bytes.length, data.length));
  Atomics.store(ctrl, 0, 1);
  Atomics.notify(ctrl, 0);
});
