import { closeSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';

/** The largest source file `pyflow graph` and `pyflow run` read. */
export const MAX_SOURCE_BYTES = 10 * 1024 * 1024;

/**
 * Reads a source file of at most MAX_SOURCE_BYTES, or says why not. The read is bounded, so a device or
 * a growing file (/dev/zero, a pipe) is refused rather than read for ever.
 */
export function readSource(file: string): { file: string; text: string } | { error: string } {
  const path = resolve(file);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    return { error: `cannot read ${file}: ${(error as Error).message}` };
  }
  try {
    const buffer = Buffer.allocUnsafe(MAX_SOURCE_BYTES + 1);
    let length = 0;
    for (let n = 1; n > 0 && length < buffer.length; length += n) n = readSync(fd, buffer, length, buffer.length - length, null);
    if (length > MAX_SOURCE_BYTES) return { error: `${file} is larger than ${MAX_SOURCE_BYTES / 1024 / 1024} MB, the largest source file pyflow reads` };
    return { file: path, text: buffer.toString('utf8', 0, length) };
  } catch (error) {
    return { error: `cannot read ${file}: ${(error as Error).message}` };
  } finally {
    closeSync(fd);
  }
}
