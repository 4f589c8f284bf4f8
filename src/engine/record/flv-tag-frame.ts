/**
 * The bytes around one FLV tag body (FLV spec E.4.1): an 11-byte tag header
 * before it and the 4-byte PreviousTagSize after it, in one 15-byte buffer so
 * the body itself is written from the shared message buffer without a copy.
 */

export const TAG_HEADER_SIZE = 11;
export const TAG_FRAME_SIZE = 15;

/** Header in [0, 11), back-pointer in [11, 15). `timestamp` in ms (wraps at 2^32). */
export function flvTagFrame(tagType: number, timestamp: number, bodySize: number): Buffer {
  const b = Buffer.allocUnsafe(TAG_FRAME_SIZE);
  const ts = timestamp % 0x1_0000_0000;
  b[0] = tagType & 0x1f;
  b.writeUIntBE(bodySize & 0xffffff, 1, 3);
  b.writeUIntBE(ts % 0x100_0000, 4, 3);
  b[7] = Math.floor(ts / 0x100_0000) & 0xff;
  b.writeUIntBE(0, 8, 3);
  b.writeUInt32BE(TAG_HEADER_SIZE + bodySize, 11);
  return b;
}

/** Reads the timestamp (with its extension byte) of a tag header at `at`. */
export function tagTimestamp(b: Buffer, at = 0): number {
  return b[at + 7]! * 0x100_0000 + b.readUIntBE(at + 4, 3);
}
