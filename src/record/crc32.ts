// CRC-32 (IEEE, as zlib and gzip): node:zlib's native one where this Node has
// it (20.15+), else a table-driven fallback with the same results.
import zlib from 'node:zlib';

let table: Uint32Array | undefined;

function tableCrc32(data: Uint8Array, crc = 0): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = (crc ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) c = ((table[(c ^ (data[i] ?? 0)) & 0xff] ?? 0) ^ (c >>> 8)) >>> 0;
  return (c ^ 0xffffffff) >>> 0;
}

type Crc32 = (data: Uint8Array, crc?: number) => number;
const native = (zlib as { crc32?: Crc32 }).crc32;

/** crc32 of `data`, continuing from `crc` (0 to start). */
export const crc32: Crc32 = native ? (d, c = 0) => native(d, c) >>> 0 : tableCrc32;

/** The fallback, exported so a test can prove both agree. */
export const crc32Fallback: Crc32 = tableCrc32;
