/**
 * The "FP9" digest handshake's HMAC-SHA256 keys and digest placement.
 * Keys and offsets as in ffmpeg's libavformat/rtmpproto.c and librtmp's
 * handshake.h (Adobe never published them).
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const HANDSHAKE_SIZE = 1536;
export const DIGEST_SIZE = 32;

const KEY_TAIL = Buffer.from([
  0xf0, 0xee, 0xc2, 0x4a, 0x80, 0x68, 0xbe, 0xe8, 0x2e, 0x00, 0xd0, 0xd1, 0x02, 0x9e, 0x7e, 0x57, 0x6e, 0xec,
  0x5d, 0x2d, 0x29, 0x80, 0x6f, 0xab, 0x93, 0xb8, 0xe6, 0x36, 0xcf, 0xeb, 0x31, 0xae,
]);

/** "Genuine Adobe Flash Media Server 001" + 32 bytes; its first 36 bytes sign S1. */
export const GENUINE_FMS_KEY = Buffer.concat([Buffer.from("Genuine Adobe Flash Media Server 001"), KEY_TAIL]);
/** "Genuine Adobe Flash Player 001" + 32 bytes; its first 30 bytes sign C1. */
export const GENUINE_FP_KEY = Buffer.concat([Buffer.from("Genuine Adobe Flash Player 001"), KEY_TAIL]);
export const FMS_KEY_OPEN = GENUINE_FMS_KEY.subarray(0, 36);
export const FP_KEY_OPEN = GENUINE_FP_KEY.subarray(0, 30);

/** Scheme 0: offset bytes at 8, digest in 12..; scheme 1: offset bytes at 772, digest in 776.. */
export type DigestScheme = 0 | 1;

export function digestPosition(buf: Buffer, scheme: DigestScheme): number {
  const base = scheme === 0 ? 8 : 772;
  return ((buf[base]! + buf[base + 1]! + buf[base + 2]! + buf[base + 3]!) % 728) + base + 4;
}

export function hmac(key: Buffer, ...parts: Buffer[]): Buffer {
  const h = createHmac("sha256", key);
  for (const p of parts) h.update(p);
  return h.digest();
}

/** HMAC of a 1536-byte packet leaving out the 32 digest bytes at `pos`. */
export function packetDigest(buf: Buffer, pos: number, key: Buffer): Buffer {
  return hmac(key, buf.subarray(0, pos), buf.subarray(pos + DIGEST_SIZE, HANDSHAKE_SIZE));
}

/** Writes the digest of `buf` at its scheme position; returns that position. */
export function imprintDigest(buf: Buffer, scheme: DigestScheme, key: Buffer): number {
  const pos = digestPosition(buf, scheme);
  packetDigest(buf, pos, key).copy(buf, pos);
  return pos;
}

/** Finds a valid digest (scheme 0, then 1); returns its position and scheme or null. */
export function findDigest(buf: Buffer, key: Buffer): { pos: number; scheme: DigestScheme } | null {
  for (const scheme of [0, 1] as const) {
    const pos = digestPosition(buf, scheme);
    const expected = packetDigest(buf, pos, key);
    if (timingSafeEqual(expected, buf.subarray(pos, pos + DIGEST_SIZE))) return { pos, scheme };
  }
  return null;
}

/**
 * The answer packet to a digest (S2 for C1, C2 for S1): random bytes whose
 * last 32 bytes are HMAC(HMAC(fullKey, peerDigest), first 1504 bytes).
 */
export function signResponse(packet: Buffer, peerDigest: Buffer, fullKey: Buffer): void {
  const key = hmac(fullKey, peerDigest);
  const end = HANDSHAKE_SIZE - DIGEST_SIZE;
  hmac(key, packet.subarray(0, end)).copy(packet, end);
}

export function verifyResponse(packet: Buffer, peerDigest: Buffer, fullKey: Buffer): boolean {
  const key = hmac(fullKey, peerDigest);
  const end = HANDSHAKE_SIZE - DIGEST_SIZE;
  return timingSafeEqual(hmac(key, packet.subarray(0, end)), packet.subarray(end, HANDSHAKE_SIZE));
}
