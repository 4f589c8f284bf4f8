/**
 * The Internet checksum (RFC 1071): one's-complement sum of 16-bit words.
 * VRRPv2 sums the VRRP message alone (RFC 3768 §5.3.8); VRRPv3 over IPv4
 * prepends the IPv4 pseudo-header (RFC 5798 §5.2.8).
 */

/** Adds the 16-bit words of buf[start, end) to `sum` (an odd tail is padded with zero). */
export function sumWords(buf: Buffer, start: number, end: number, sum = 0): number {
  let s = sum;
  let i = start;
  for (; i + 1 < end; i += 2) s += (buf[i]! << 8) | buf[i + 1]!;
  if (i < end) s += buf[i]! << 8;
  return s;
}

/** Folds a running sum to 16 bits and complements it. */
export function finishChecksum(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return ~s & 0xffff;
}

/** Sum of the IPv4 pseudo-header for protocol 112 (RFC 5798 §5.2.8 → RFC 8200-style). */
export function pseudoHeaderSum(src: number, dst: number, length: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + VRRP_PROTOCOL + length;
}

/** IANA protocol number of VRRP (RFC 5798 §5.1.1.4). */
export const VRRP_PROTOCOL = 112;
