/**
 * Steal: time the hypervisor gave the CPUs of this virtual machine to other guests. A thread
 * that runs on a CPU while it is stolen is neither running nor, for the guest's kernel, waiting:
 * its schedstat shows no run-queue time, its event loop simply falls behind. So a late second on a
 * virtual machine can look like the engine's own work when the host took its core away. Read
 * from /proc/stat (the eighth count of each `cpuN` line, in USER_HZ ticks of 10 ms on Linux), for
 * the CPUs the calling thread may run on (its `Cpus_allowed_list`): per second, the mean over
 * those CPUs, in ms. Coarse (10 ms ticks), so read as "about", and only where it is large.
 *
 * @example
 * const s = StealStat.open(); const before = s?.read(); ...; const stolenMs = s.read()! - before!;
 */
import { readFileSync } from 'node:fs';
import { ProcFile } from './proc-file.ts';

/** USER_HZ: the unit of /proc/stat's counts on Linux (sysconf(_SC_CLK_TCK), 100 on every common kernel). */
const TICK_MS = 10;

/** The CPU numbers of a list as /proc writes them (`0-3,8,10-11`); empty for an unreadable one. */
export function parseCpuList(list: string): number[] {
  const out: number[] = [];
  for (const part of list.trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (m === null) return [];
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    for (let c = from; c <= to; c++) out.push(c);
  }
  return out;
}

/**
 * Per CPU: [steal, total] ticks since boot, from /proc/stat's `cpuN` lines (not the all-CPU
 * `cpu` line); steal is NaN on a line without that count (an old kernel).
 */
export function cpuJiffies(procStat: string): Map<number, [number, number]> {
  const out = new Map<number, [number, number]>();
  for (const line of procStat.split('\n')) {
    const m = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (m === null) continue;
    const f = m[2]!.trim().split(/\s+/).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already inside user)
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    out.set(Number(m[1]), [f[7] ?? Number.NaN, total]);
  }
  return out;
}

/**
 * The mean steal of those of `cpus` that /proc/stat lists (an allowed list can name CPUs that
 * are not online), in ms since boot; undefined when none is listed or a line has no steal count
 * (an old kernel).
 */
export function meanStealMs(procStat: string, cpus: readonly number[]): number | undefined {
  const jiffies = cpuJiffies(procStat);
  let sum = 0;
  let found = 0;
  for (const cpu of cpus) {
    const j = jiffies.get(cpu);
    if (j === undefined) continue;
    if (!Number.isFinite(j[0])) return undefined;
    sum += j[0];
    found++;
  }
  return found > 0 ? (sum * TICK_MS) / found : undefined;
}

/** The calling thread's CPUs' mean steal, read again at will from an open /proc/stat. */
export class StealStat {
  private constructor(private readonly file: ProcFile, private readonly cpus: readonly number[]) {}

  /** Undefined off Linux, or where /proc says nothing of steal. */
  static open(): StealStat | undefined {
    let cpus: number[];
    try {
      cpus = parseCpuList(/^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync('/proc/thread-self/status', 'latin1'))?.[1] ?? '');
    } catch {
      return undefined;
    }
    const file = ProcFile.open('/proc/stat', 64 * 1024);
    if (file === undefined) return undefined;
    const s = new StealStat(file, cpus);
    if (s.read() !== undefined) return s;
    file.close();
    return undefined;
  }

  /** Mean steal of the thread's CPUs since boot, ms; undefined if /proc/stat could not be read. */
  read(): number | undefined {
    const text = this.file.text();
    return text === undefined ? undefined : meanStealMs(text, this.cpus);
  }

  close(): void {
    this.file.close();
  }
}
