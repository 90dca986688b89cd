// Writes every byte to a file descriptor, also when it is a non-blocking pipe
// whose reader is slower than we are (stdout of `export -o - | ...`): EAGAIN
// means wait a moment and go on, not fail.
import { writeSync } from 'node:fs';

const pause = new Int32Array(new SharedArrayBuffer(4));

export function writeAllSync(fd: number, data: Uint8Array | string): void {
  const b = typeof data === 'string' ? Buffer.from(data) : data;
  for (let off = 0; off < b.length;) {
    try {
      off += writeSync(fd, b, off, b.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}
