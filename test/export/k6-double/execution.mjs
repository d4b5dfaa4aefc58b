// k6/execution test double: the scenario context run.mjs sets before each iteration.
import { state } from './state.mjs';

const exec = {
  get scenario() { return state.scenario; },
  vu: { get idInTest() { return 1; }, get iterationInScenario() { return state.scenario.iterationInTest; } },
  instance: { vusActive: 1 },
};
export default exec;
