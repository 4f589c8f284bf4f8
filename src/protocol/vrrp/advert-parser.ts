/**
 * Parses a VRRP advertisement as a raw IPv4 socket delivers it (IP header
 * included) and returns a verdict instead of throwing: the receive path
 * counts each drop reason (RFC 5798 §7.1, RFC 3768 §7.1). Checks that need
 * no instance configuration live here; the per-instance ones in
 * `advert-check.ts`.
 */
import { IPV4_MAX_HEADER, parseIpv4Header } from "../ipv4/ipv4-header.js";
import { finishChecksum, pseudoHeaderSum, sumWords, VRRP_PROTOCOL } from "./checksum.js";
import {
  VRRP_HEADER_LENGTH,
  VRRP_MAX_MESSAGE,
  VRRP_TYPE_ADVERTISEMENT,
  VRRP_V2_AUTH_LENGTH,
  VRRP_V3_MAX_INTERVAL_CS,
} from "./constants.js";

/** Every reason a received packet is dropped; each has a counter. */
export type VrrpDropReason =
  | "ip_header"
  | "not_vrrp"
  | "too_short"
  | "too_long"
  | "length"
  | "version"
  | "type"
  | "checksum"
  | "ttl"
  | "vrid"
  | "auth_type_invalid"
  | "auth_type_mismatch"
  | "auth_failure"
  | "interval_mismatch"
  | "addr_count"
  | "addr_list";

export const VRRP_DROP_REASONS: readonly VrrpDropReason[] = [
  "ip_header",
  "not_vrrp",
  "too_short",
  "too_long",
  "length",
  "version",
  "type",
  "checksum",
  "ttl",
  "vrid",
  "auth_type_invalid",
  "auth_type_mismatch",
  "auth_failure",
  "interval_mismatch",
  "addr_count",
  "addr_list",
];

export interface ReceivedAdvert {
  /** The whole datagram (IP header + VRRP message), not copied. */
  buf: Buffer;
  src: number;
  dst: number;
  ttl: number;
  version: 2 | 3;
  vrid: number;
  priority: number;
  /** Offset of the VRRP message in `buf`. */
  offset: number;
  addressCount: number;
  /** v2 only (0 for v3). */
  authType: number;
  /** ms (v2: seconds × 1000; v3: centiseconds × 10). */
  adverInt: number;
}

export type ParseVerdict = { ok: true; advert: ReceivedAdvert } | { ok: false; reason: VrrpDropReason };

const drop = (reason: VrrpDropReason): ParseVerdict => ({ ok: false, reason });

/** Largest datagram worth looking at: IP header with options + the largest VRRP message. */
export const VRRP_MAX_DATAGRAM = IPV4_MAX_HEADER + VRRP_MAX_MESSAGE;

export function parseAdvert(buf: Buffer): ParseVerdict {
  if (buf.length > VRRP_MAX_DATAGRAM) return drop("too_long");
  const ip = parseIpv4Header(buf);
  if (!ip) return drop("ip_header");
  if (ip.protocol !== VRRP_PROTOCOL) return drop("not_vrrp");
  if (ip.totalLength !== buf.length) return drop("length");
  const off = ip.headerLength;
  const len = buf.length - off;
  if (len < VRRP_HEADER_LENGTH) return drop("too_short");
  const version = buf[off]! >> 4;
  if (version !== 2 && version !== 3) return drop("version");
  if ((buf[off]! & 0x0f) !== VRRP_TYPE_ADVERTISEMENT) return drop("type");
  const count = buf[off + 3]!;
  const expected = VRRP_HEADER_LENGTH + count * 4 + (version === 2 ? VRRP_V2_AUTH_LENGTH : 0);
  if (len < expected) return drop("too_short");
  if (len > expected) return drop("too_long");
  const initial = version === 3 ? pseudoHeaderSum(ip.src, ip.dst, len) : 0;
  if (finishChecksum(sumWords(buf, off, buf.length, initial)) !== 0) return drop("checksum");
  return {
    ok: true,
    advert: {
      buf,
      src: ip.src,
      dst: ip.dst,
      ttl: ip.ttl,
      version,
      vrid: buf[off + 1]!,
      priority: buf[off + 2]!,
      offset: off,
      addressCount: count,
      authType: version === 2 ? buf[off + 4]! : 0,
      adverInt:
        version === 2 ? buf[off + 5]! * 1000 : (buf.readUInt16BE(off + 4) & VRRP_V3_MAX_INTERVAL_CS) * 10,
    },
  };
}

/** The i-th virtual address of a parsed advert (unsigned 32-bit). */
export function advertAddress(a: ReceivedAdvert, i: number): number {
  return a.buf.readUInt32BE(a.offset + VRRP_HEADER_LENGTH + i * 4);
}
