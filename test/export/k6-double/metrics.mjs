// k6/metrics test double: custom metrics are created in the init context, as k6 requires.
import { state } from './state.mjs';

export function endInit() { state.initDone = true; }

class Metric {
  constructor(name) {
    if (state.initDone) throw new Error(`k6/metrics: metric '${name}' created outside the init context`);
    this.name = name;
    state.metrics[name] ??= [];
  }
  add(value, tags = {}) { state.metrics[this.name].push({ value, tags }); }
}
export class Counter extends Metric {}
export class Trend extends Metric {}
export class Rate extends Metric {}
export class Gauge extends Metric {}
export default { Counter, Trend, Rate, Gauge };
