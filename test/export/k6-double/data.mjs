// k6/data test double: a SharedArray is built once per process (k6: once per test run, in the
// first VU's init context) and handed, read-only, to every VU that names it afterwards.
import { state } from './state.mjs';

const shared = (globalThis.__k6doubleShared ??= new Map());

export class SharedArray {
  constructor(name, fn) {
    if (state.initDone) throw new Error(`k6/data: SharedArray '${name}' created outside the init context`);
    if (typeof fn !== 'function') throw new Error(`k6/data: SharedArray '${name}' needs a function returning an array`);
    let arr = shared.get(name);
    if (arr === undefined) {
      const made = fn();
      if (!Array.isArray(made)) throw new Error(`k6/data: SharedArray '${name}': the function must return an array`);
      arr = Object.freeze(made.map((x) => (typeof x === 'object' && x !== null ? Object.freeze(x) : x)));
      shared.set(name, arr);
      state.sharedArraysBuilt.push(name);
    }
    return arr;
  }
}
export default { SharedArray };
