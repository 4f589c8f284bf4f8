/**
 * Chunk header facts shared by the decoder and the encoder (RTMP spec 5.3.1).
 */

/** Chunk size every connection starts with (RTMP spec 5.4.1). */
export const DEFAULT_CHUNK_SIZE = 128;
/** Largest chunk size Set Chunk Size can carry (31 bits, spec 5.4.1). */
export const MAX_CHUNK_SIZE = 0x7fffffff;
/** 3-byte timestamp value that announces a 4-byte extended timestamp (spec 5.3.1.3). */
export const EXTENDED_TIMESTAMP = 0xffffff;
/** Longest header: 3-byte basic header + 11-byte type 0 header + 4-byte extended timestamp. */
export const MAX_HEADER_LENGTH = 18;
/** Chunk stream ids 2..65599 are valid; 2 is reserved for protocol control (spec 5.3.1.1, 6.1). */
export const MIN_CSID = 2;
export const MAX_CSID = 65599;

/** Chunk stream ids onair sends on (the same choice as nginx-rtmp). */
export const Csid = {
  Control: 2,
  Command: 3,
  Audio: 6,
  Video: 7,
  Data: 5,
} as const;

export function basicHeaderLength(csid: number): number {
  return csid < 64 ? 1 : csid < 320 ? 2 : 3;
}

/** Writes the basic header at `off`; returns the next offset. */
export function writeBasicHeader(buf: Buffer, off: number, fmt: number, csid: number): number {
  if (csid < 64) {
    buf[off] = (fmt << 6) | csid;
    return off + 1;
  }
  if (csid < 320) {
    buf[off] = fmt << 6;
    buf[off + 1] = csid - 64;
    return off + 2;
  }
  buf[off] = (fmt << 6) | 1;
  buf[off + 1] = (csid - 64) & 0xff;
  buf[off + 2] = (csid - 64) >> 8;
  return off + 3;
}
