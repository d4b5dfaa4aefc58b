/**
 * The one error catalogue (undici's `lib/core/errors.js` habit): every user-facing error of
 * picco is a `PiccoError` whose `code` is one of the stable codes below, and whose exit code
 * comes from the same row, so a command never decides on its own what a kind of error means.
 * Codes are part of the contract: scripts may match on them; add rows, never rename one.
 *
 * Exit codes (DESIGN.md, as k6): 0 pass, 99 an SLO failed, 98 the run is invalid (the
 * generator's numbers are not the target's), 2 bad usage or config, 1 anything else.
 *
 * @example
 * throw new PiccoError('PICCO_ERR_MERGE', 'segments 1/2 and 2/3 do not belong to one run');
 * exitCodeOf(err); // 2
 */

export const EXIT = { pass: 0, error: 1, usage: 2, invalid: 98, sloFailed: 99 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** code -> [exit code, what it means]. */
export const ERRORS = {
  PICCO_ERR_USAGE: [EXIT.usage, 'a flag, argument or file given to a command is wrong'],
  PICCO_ERR_SCENARIO_OPTION: [EXIT.usage, 'the scenario cannot honour --scale, --speed, --duration or --seed'],
  PICCO_ERR_SCENARIO_NOT_FOUND: [EXIT.usage, 'no scenario of that name or file'],
  PICCO_ERR_SCENARIO_INVALID: [EXIT.usage, 'a scenario definition breaks the scenario contract'],
  PICCO_ERR_TARGET: [EXIT.usage, 'a --target does not name a URL or an origin of the scenario'],
  PICCO_ERR_SLO: [EXIT.usage, 'an SLO line does not follow the grammar (docs/slo.md)'],
  PICCO_ERR_SLO_FILE: [EXIT.usage, 'an --slo file cannot be read or holds bad lines'],
  PICCO_ERR_RUN_DATA: [EXIT.usage, 'a run directory lacks or has a broken summary.json / series'],
  PICCO_ERR_MERGE: [EXIT.usage, 'segment runs that cannot be merged into one'],
  PICCO_ERR_HISTOGRAM: [EXIT.usage, 'an encoded histogram cannot be decoded'],
  PICCO_ERR_USL_FILE: [EXIT.usage, 'a --usl file cannot be read'],
  PICCO_ERR_USL_INPUT: [EXIT.usage, 'too few or degenerate points to fit the USL'],
  PICCO_ERR_CAPACITY: [EXIT.error, 'the capacity search could not measure the target'],
  PICCO_ERR_PROMETHEUS: [EXIT.usage, 'the --prometheus server is unreachable or answered an error'],
  PICCO_ERR_EXPORT: [EXIT.usage, 'the scenario cannot be exported to k6'],
  PICCO_ERR_CONTRACT: [EXIT.usage, 'the --contract OpenAPI file cannot be read'],
  PICCO_ERR_CHECK_FAILED: [EXIT.sloFailed, 'a conformance check failed (picco verify)'],
  PICCO_ERR_CHECK_SKIPPED: [EXIT.pass, 'a conformance check does not apply to this target'],
  PICCO_ERR_WORKER: [EXIT.error, 'an engine worker thread failed'],
  PICCO_ERR_LATE_START: [EXIT.usage, 'a segment reached its --start-at later than --max-lag: it refused to start'],
  PICCO_ERR_EMBEDDED_SERVER: [EXIT.error, 'the embedded reference server did not start'],
} as const satisfies Record<string, readonly [ExitCode, string]>;

export type ErrorCode = keyof typeof ERRORS;

export class PiccoError extends Error {
  readonly exitCode: ExitCode;
  constructor(readonly code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = ERRORS[code][0];
  }
}

/** Bad usage: every problem found, each naming its flag or file, reported at once. */
export class UsageError extends PiccoError {
  constructor(readonly problems: string[]) {
    super('PICCO_ERR_USAGE', problems.join('; '));
  }
}

/** The exit code an error ends a command with: the catalogue's, else 1. */
export function exitCodeOf(err: unknown): ExitCode {
  return err instanceof PiccoError ? err.exitCode : EXIT.error;
}
