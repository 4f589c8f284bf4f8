/**
 * The IPv4 header as a raw socket delivers it (RFC 791 §3.1). onair never
 * builds one (the kernel does, from the socket options); it only reads what
 * the receive checks need: header length, total length, TTL, protocol and
 * the two addresses.
 */

/** RFC 791: minimum header is 5 words. */
export const IPV4_MIN_HEADER = 20;
/** RFC 791: IHL is 4 bits, so at most 15 words. */
export const IPV4_MAX_HEADER = 60;

export interface Ipv4Header {
  headerLength: number;
  totalLength: number;
  ttl: number;
  protocol: number;
  /** Source address as an unsigned 32-bit number. */
  src: number;
  dst: number;
}

/** Returns null when `buf` does not start with a well-formed IPv4 header. */
export function parseIpv4Header(buf: Buffer): Ipv4Header | null {
  if (buf.length < IPV4_MIN_HEADER) return null;
  const vihl = buf[0]!;
  if (vihl >> 4 !== 4) return null;
  const headerLength = (vihl & 0x0f) * 4;
  if (headerLength < IPV4_MIN_HEADER || headerLength > buf.length) return null;
  return {
    headerLength,
    totalLength: buf.readUInt16BE(2),
    ttl: buf[8]!,
    protocol: buf[9]!,
    src: buf.readUInt32BE(12),
    dst: buf.readUInt32BE(16),
  };
}
