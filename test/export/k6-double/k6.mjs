// k6 test double: check counts per name; sleep blocks the VU like k6's (capped for tests).
import { state } from './state.mjs';

const sleeper = new Int32Array(new SharedArrayBuffer(4));

export function check(val, sets) {
  let all = true;
  for (const [name, fn] of Object.entries(sets)) {
    const ok = Boolean(typeof fn === 'function' ? fn(val) : fn);
    const c = (state.checks[name] ??= { pass: 0, fail: 0 });
    if (ok) c.pass++;
    else c.fail++;
    all &&= ok;
  }
  return all;
}

export function sleep(seconds) {
  Atomics.wait(sleeper, 0, 0, Math.min(seconds * 1000, state.maxSleepMs));
}

export function group(_name, fn) {
  return fn();
}

export default { check, sleep, group };
