/**
 * `picco/scenario`: everything a scenario file needs, and nothing else of the engine. A planner's
 * scenario, in their own repository with picco installed, imports only this (docs/scenarios.md,
 * "Rehearse your own launch"); the December 2020 pack is written on the same contract.
 *
 * @example
 * import { defineScenario, constantArrivalRate, type Journey } from 'picco/scenario';
 */
export type {
  Arrival,
  ExecutorConfig,
  FailureKind,
  Journey,
  JourneyClient,
  OriginSpec,
  Origins,
  RequestSpec,
  ResponseResult,
  Scenario,
  ScenarioOptions,
  ScenarioPlan,
  Stage,
  Stream,
  Targets,
} from './types.ts';
export { defineScenario, constantArrivalRate, rampingArrivalRate, constantVus, rampingVus, arrivalsOf } from './define.ts';
export { ScenarioOptionError } from './option-error.ts';
