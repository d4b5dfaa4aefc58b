/**
 * Flag parsing shared by every command: node:util parseArgs, with its errors turned into a
 * UsageError that names the flag. Exit codes and errors come from the one catalogue
 * (harness/errors.ts); Problems and durations from harness/config/problems.ts.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../harness/errors.ts';

export { EXIT, UsageError } from '../harness/errors.ts';
export { Problems, parseDuration } from '../harness/config/problems.ts';

/** node:util parseArgs, with its errors turned into a UsageError that names the flag. */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: T,
  allowPositionals = true,
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new UsageError([msg.replace(/\. To specify a positional argument.*$/s, '')]);
  }
}

/** `--help` / `-h`, which every command takes. */
export const HELP_FLAG = { help: { type: 'boolean', short: 'h' } } as const;

/** Prints the command's usage when --help was given; the command then exits 0. */
export function helpAsked(values: { help?: boolean | undefined }, usage: string): boolean {
  if (values.help !== true) return false;
  process.stdout.write(usage);
  return true;
}
