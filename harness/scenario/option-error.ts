/**
 * A scenario's options that cannot make a run (a --scale, --speed, --duration or --seed the
 * scenario cannot honour). Thrown by a scenario's `build`; the CLI reports the message and exits 2
 * (bad usage), like any other bad flag, instead of failing with a stack trace.
 *
 * @example
 * throw new ScenarioOptionError('--duration 45s is shorter than the 98 s preload this window needs');
 */
import { PiccoError } from '../errors.ts';

export class ScenarioOptionError extends PiccoError {
  constructor(message: string) {
    super('PICCO_ERR_SCENARIO_OPTION', message);
  }
}
