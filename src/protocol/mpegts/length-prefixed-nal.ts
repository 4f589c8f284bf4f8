/**
 * Walking the length-prefixed NAL units of an AVCC/HVCC access unit
 * (ISO/IEC 14496-15: each NAL unit preceded by its length on 1, 2 or 4
 * bytes), shared by the H.264 and H.265 Annex B converters: one bounds-checked
 * scan, then a copy out with 4-byte start codes.
 */
import type { GrowBuffer } from "./grow-buffer.js";

/** The Annex B start code written before each NAL unit (ITU-T H.264/H.265 annex B). */
export const START_CODE = Buffer.from([0, 0, 0, 1]);

export type AnnexBVerdict = "ok" | "malformed";

function readLength(p: Buffer, at: number, size: number): number {
  if (size === 4) return p.readUInt32BE(at);
  if (size === 2) return p.readUInt16BE(at);
  return p[at]!;
}

/**
 * Checks every length against the payload and ORs `flagsOf(first byte)` over
 * the non-empty NAL units; -1 if a length prefix or unit runs past the end.
 */
export function scanNalUnits(p: Buffer, size: number, flagsOf: (header: number) => number): number {
  let at = 0;
  let flags = 0;
  while (at < p.length) {
    if (at + size > p.length) return -1;
    const len = readLength(p, at, size);
    at += size;
    if (len > p.length - at) return -1;
    if (len > 0) flags |= flagsOf(p[at]!);
    at += len;
  }
  return flags;
}

/**
 * Appends each non-empty NAL unit with a start code, but those `skip(first
 * byte)` refuses. Only after `scanNalUnits` accepted `p` (lengths unchecked here).
 */
export function appendNalUnits(
  out: GrowBuffer,
  p: Buffer,
  size: number,
  skip: (header: number) => boolean,
): void {
  let at = 0;
  while (at < p.length) {
    const len = readLength(p, at, size);
    at += size;
    if (len > 0 && !skip(p[at]!)) out.append(START_CODE).append(p.subarray(at, at + len));
    at += len;
  }
}
