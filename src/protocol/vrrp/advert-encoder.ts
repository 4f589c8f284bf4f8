/**
 * Builds VRRP advertisements (the VRRP message only: the kernel adds the IPv4
 * header from the socket options). One buffer per instance is built once;
 * each send rewrites the priority and the checksum in place (no allocation).
 * Layout: RFC 3768 §5.1 (v2) and RFC 5798 §5.1 (v3).
 */
import { finishChecksum, pseudoHeaderSum, sumWords } from "./checksum.js";
import {
  VRRP_AUTH_NONE,
  VRRP_AUTH_PASS,
  VRRP_HEADER_LENGTH,
  VRRP_MAX_ADDRESSES,
  VRRP_TYPE_ADVERTISEMENT,
  VRRP_V2_AUTH_LENGTH,
  VRRP_V3_MAX_INTERVAL_CS,
} from "./constants.js";

export interface AdvertFields {
  version: 2 | 3;
  vrid: number;
  /** Virtual addresses as unsigned 32-bit numbers, in configuration order. */
  addresses: number[];
  /** ms; v2 sends whole seconds, v3 centiseconds. */
  adverInt: number;
  /** v2 only: null = auth type 0, else PASS with the first 8 bytes of the password. */
  authPass: string | null;
}

/** The 8 bytes keepalived puts on the wire for a PASS password (truncated, zero padded). */
export function authData(pass: string | null): Buffer {
  const out = Buffer.alloc(VRRP_V2_AUTH_LENGTH);
  if (pass !== null) Buffer.from(pass, "utf8").copy(out, 0, 0, VRRP_V2_AUTH_LENGTH);
  return out;
}

/** Length of the VRRP message for these fields. */
export function advertLength(f: Pick<AdvertFields, "version" | "addresses">): number {
  return VRRP_HEADER_LENGTH + f.addresses.length * 4 + (f.version === 2 ? VRRP_V2_AUTH_LENGTH : 0);
}

export class AdvertEncoder {
  readonly buf: Buffer;
  readonly #version: 2 | 3;
  #pseudoSum = 0;

  /** `src`/`dst` (unsigned 32-bit) feed the v3 pseudo-header; v2 ignores them. */
  constructor(f: AdvertFields, src = 0, dst = 0) {
    if (f.addresses.length > VRRP_MAX_ADDRESSES) throw new RangeError("too many virtual addresses");
    this.#version = f.version;
    const b = Buffer.alloc(advertLength(f));
    b[0] = (f.version << 4) | VRRP_TYPE_ADVERTISEMENT;
    b[1] = f.vrid;
    b[3] = f.addresses.length;
    if (f.version === 2) {
      b[4] = f.authPass === null ? VRRP_AUTH_NONE : VRRP_AUTH_PASS;
      b[5] = Math.min(255, Math.max(1, Math.round(f.adverInt / 1000)));
    } else {
      b.writeUInt16BE(Math.min(VRRP_V3_MAX_INTERVAL_CS, Math.max(1, Math.round(f.adverInt / 10))), 4);
    }
    f.addresses.forEach((a, i) => {
      b.writeUInt32BE(a >>> 0, VRRP_HEADER_LENGTH + i * 4);
    });
    if (f.version === 2) authData(f.authPass).copy(b, VRRP_HEADER_LENGTH + f.addresses.length * 4);
    this.buf = b;
    this.setEndpoints(src, dst);
  }

  /** v3: the pseudo-header uses the actual source and destination (RFC 5798 §5.2.8). */
  setEndpoints(src: number, dst: number): void {
    this.#pseudoSum = this.#version === 3 ? pseudoHeaderSum(src, dst, this.buf.length) : 0;
  }

  /** Sets the priority, recomputes the checksum and returns the shared buffer. */
  encode(priority: number): Buffer {
    const b = this.buf;
    b[2] = priority;
    b.writeUInt16BE(0, 6);
    b.writeUInt16BE(finishChecksum(sumWords(b, 0, b.length, this.#pseudoSum)), 6);
    return b;
  }
}
