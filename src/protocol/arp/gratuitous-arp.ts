/**
 * A gratuitous ARP frame (RFC 5227 §3, RFC 5798 §8.1.2): an Ethernet
 * broadcast carrying an ARP request whose sender and target protocol
 * addresses are both the virtual address, as keepalived sends (vrrp_arp.c).
 */

export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_IPV4 = 0x0800;
/** RFC 826: hardware type Ethernet, opcode request. */
export const ARP_HTYPE_ETHERNET = 1;
export const ARP_OP_REQUEST = 1;
export const ARP_OP_REPLY = 2;
/** Ethernet header (14) + ARP for IPv4 over Ethernet (28), padded to the 60-byte minimum frame. */
export const GARP_FRAME_LENGTH = 60;

/** Parses "aa:bb:cc:dd:ee:ff"; throws RangeError on anything else. */
export function parseMac(text: string): Buffer {
  const parts = text.split(":");
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) {
    throw new RangeError(`not a MAC address: ${text}`);
  }
  return Buffer.from(parts.map((p) => Number.parseInt(p, 16)));
}

/** Builds the 60-byte frame announcing that `ip` (unsigned 32-bit) is at `mac`. */
export function buildGratuitousArp(mac: Buffer, ip: number): Buffer {
  const f = Buffer.alloc(GARP_FRAME_LENGTH);
  f.fill(0xff, 0, 6); // destination: broadcast
  mac.copy(f, 6, 0, 6);
  f.writeUInt16BE(ETHERTYPE_ARP, 12);
  f.writeUInt16BE(ARP_HTYPE_ETHERNET, 14);
  f.writeUInt16BE(ETHERTYPE_IPV4, 16);
  f[18] = 6;
  f[19] = 4;
  f.writeUInt16BE(ARP_OP_REQUEST, 20);
  mac.copy(f, 22, 0, 6); // sender hardware address
  f.writeUInt32BE(ip >>> 0, 28); // sender protocol address
  f.fill(0xff, 32, 38); // target hardware address: broadcast, as keepalived
  f.writeUInt32BE(ip >>> 0, 38); // target protocol address
  return f;
}
