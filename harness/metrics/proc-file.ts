/**
 * A file of /proc opened once and read again from its start whenever asked: the engine reads a
 * few of them every second on its load thread (its schedstat, the CPUs' steal), where an open and
 * a close each time would be two more system calls on the thread whose delays are measured.
 * Linux only; `open` gives undefined elsewhere, or when the file cannot be opened.
 *
 * @example
 * const f = ProcFile.open('/proc/thread-self/schedstat', 128); f?.text(); f?.close();
 */
import { closeSync, openSync, readSync } from 'node:fs';

export class ProcFile {
  private readonly buf: Buffer;
  private constructor(private readonly fd: number, size: number) {
    this.buf = Buffer.alloc(size);
  }

  /** `size`: the most bytes read (the start of a longer file is what fits). */
  static open(path: string, size: number): ProcFile | undefined {
    if (process.platform !== 'linux') return undefined;
    try {
      return new ProcFile(openSync(path, 'r'), size);
    } catch {
      return undefined;
    }
  }

  /** The file's text now, from its start; undefined if it could not be read. */
  text(): string | undefined {
    try {
      const n = readSync(this.fd, this.buf, 0, this.buf.length, 0);
      return this.buf.toString('latin1', 0, n);
    } catch {
      return undefined;
    }
  }

  close(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
  }
}
