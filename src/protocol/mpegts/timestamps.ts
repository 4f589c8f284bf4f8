/**
 * 33-bit MPEG-2 system clock arithmetic (ISO/IEC 13818-1 2.4.3.7), done with
 * plain numbers (exact up to 2^53), never with 32-bit bitwise operators.
 */
export const TS_CLOCK_HZ = 90000;
export const PTS_MODULO = 2 ** 33;

/** Wraps any integer (negative too) into [0, 2^33). */
export function wrap33(v: number): number {
  const m = v % PTS_MODULO;
  return m < 0 ? m + PTS_MODULO : m;
}

/** Milliseconds of stream time to 90 kHz ticks, wrapped to 33 bits. */
export function msTo90k(ms: number): number {
  return wrap33(Math.round(ms * 90));
}

/** Signed difference b - a of two 33-bit timestamps, assuming |b - a| < 2^32. */
export function diff33(a: number, b: number): number {
  let d = wrap33(b - a);
  if (d >= PTS_MODULO / 2) d -= PTS_MODULO;
  return d;
}

/** Writes a PTS or DTS field (2.4.3.7, 5 bytes): 4-bit prefix, 33 bits with markers. */
export function writeTimestamp(buf: Buffer, at: number, prefix: number, value: number): void {
  const v = wrap33(value);
  const hi = Math.floor(v / 2 ** 30); // 3 bits
  const mid = Math.floor(v / 2 ** 15) % 2 ** 15;
  const low = v % 2 ** 15;
  buf[at] = (prefix << 4) | (hi << 1) | 1;
  buf[at + 1] = mid >> 7;
  buf[at + 2] = ((mid & 0x7f) << 1) | 1;
  buf[at + 3] = low >> 7;
  buf[at + 4] = ((low & 0x7f) << 1) | 1;
}

/** Reads a PTS/DTS field written by writeTimestamp. */
export function readTimestamp(buf: Buffer, at: number): number {
  const hi = (buf[at]! >> 1) & 7;
  const mid = (buf[at + 1]! << 7) | (buf[at + 2]! >> 1);
  const low = (buf[at + 3]! << 7) | (buf[at + 4]! >> 1);
  return hi * 2 ** 30 + mid * 2 ** 15 + low;
}

/** Writes a PCR (2.4.3.5, 6 bytes): 33-bit base, 6 reserved bits, 9-bit extension 0. */
export function writePcr(buf: Buffer, at: number, base: number): void {
  const v = wrap33(base);
  buf.writeUInt32BE(Math.floor(v / 2), at);
  buf[at + 4] = ((v % 2) << 7) | 0x7e;
  buf[at + 5] = 0;
}

export function readPcr(buf: Buffer, at: number): number {
  return buf.readUInt32BE(at) * 2 + (buf[at + 4]! >> 7);
}
