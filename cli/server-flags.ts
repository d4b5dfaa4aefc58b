/**
 * `picco run`'s flags for the embedded reference server it starts when there is no --target:
 * --faults FILE (an injected-symptom profile), --architecture 2020 [--rate-scale F] and
 * --architecture-option KEY=VALUE (the server as the 2020 system was built; `picco serve` checks
 * each option). They make no sense against a --target or a --url: saying so is exit 2.
 *
 * @example
 * const server = await parseServerFlags(f, hasTargetOrUrl, p);
 * embeddedServerArgs(server, scale * speed); // ['--architecture', '2020', '--rate-scale', '0.018']
 */
import { readFileSync } from 'node:fs';
import type { Problems } from '../harness/config/problems.ts';

export const SERVER_FLAGS = {
  faults: { type: 'string' },
  architecture: { type: 'string' },
  'rate-scale': { type: 'string' },
  'architecture-option': { type: 'string', multiple: true },
} as const;

export interface ServerFlagValues {
  faults?: string | undefined;
  architecture?: string | undefined;
  'rate-scale'?: string | undefined;
  'architecture-option'?: string[] | undefined;
}

export interface ServerFlags {
  faults?: string;
  arch2020: boolean;
  /** --rate-scale when given; the run's scale x speed otherwise. */
  rateScale?: number;
  options: string[];
}

export async function parseServerFlags(f: ServerFlagValues, external: boolean, p: Problems): Promise<ServerFlags> {
  if (f.faults !== undefined) {
    if (external) p.add('--faults applies to the embedded reference server: give a SCENARIO and no --target/--url');
    else {
      const { parseFaults } = await import('../reference-server/src/downstream/faults.ts');
      try {
        parseFaults(readFileSync(f.faults, 'utf8'), `--faults ${f.faults}`);
      } catch (err) {
        p.add((err as NodeJS.ErrnoException).code === 'ENOENT' ? `--faults ${f.faults}: no such file` : (err as Error).message);
      }
    }
  }
  const rateScale = p.number('--rate-scale', f['rate-scale'], { min: 1e-6, max: 100 });
  if (f.architecture !== undefined && f.architecture !== '2020' && f.architecture !== 'resilient') {
    p.add(`--architecture '${f.architecture}' is not resilient or 2020`);
  }
  const arch2020 = f.architecture === '2020';
  if ((f.architecture !== undefined || f['rate-scale'] !== undefined) && external) {
    p.add('--architecture and --rate-scale apply to the embedded reference server: give a SCENARIO and no --target/--url');
  }
  if (f['rate-scale'] !== undefined && !arch2020) p.add('--rate-scale applies with --architecture 2020 only');
  const options = f['architecture-option'] ?? [];
  if (options.length > 0 && !arch2020) p.add('--architecture-option applies with --architecture 2020 only');
  for (const o of options) if (!/^[A-Za-z0-9]+=.+$/.test(o)) p.add(`--architecture-option '${o}' is not KEY=VALUE (e.g. bulkhead=true)`);
  if (arch2020 && f.faults !== undefined) p.add('--faults cannot be combined with --architecture 2020: it fails only by its limits');
  const out: ServerFlags = { arch2020, options };
  if (f.faults !== undefined) out.faults = f.faults;
  if (rateScale !== undefined) out.rateScale = rateScale;
  return out;
}

/**
 * The extra `picco serve` flags of the embedded server. --rate-scale defaults to the run's
 * scale x speed, so the 2020 capacities meet the load as they met it nationally.
 */
export function embeddedServerArgs(s: ServerFlags, rateScale: number): string[] {
  if (s.arch2020) return ['--architecture', '2020', '--rate-scale', String(rateScale), ...s.options.flatMap((o) => ['--architecture-option', o])];
  return s.faults !== undefined ? ['--faults', s.faults] : [];
}
