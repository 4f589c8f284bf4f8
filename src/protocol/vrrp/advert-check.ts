/**
 * Per-instance receive checks (RFC 5798 §7.1, RFC 3768 §7.1) in keepalived's
 * order and with its choices (vrrp.c vrrp_in_chk): TTL is only checked for
 * multicast; a v2 advert with another interval is dropped (keepalived: "to
 * prevent concurrent VRID running"); the address list must match the
 * configured one.
 */
import { advertAddress, type ReceivedAdvert, type VrrpDropReason } from "./advert-parser.js";
import {
  VRRP_AUTH_AH,
  VRRP_AUTH_NONE,
  VRRP_AUTH_PASS,
  VRRP_HEADER_LENGTH,
  VRRP_TTL,
  VRRP_V2_AUTH_LENGTH,
} from "./constants.js";

export interface AdvertExpectation {
  version: 2 | 3;
  vrid: number;
  /** v2: 0 (none) or 1 (PASS). */
  authType: number;
  /** v2 PASS: the 8 bytes on the wire (see `authData`). */
  authData: Buffer;
  /** ms */
  adverInt: number;
  addresses: number[];
  /** Unicast instances skip the TTL check, as keepalived. */
  unicast: boolean;
}

/** null when the advert is for this instance and acceptable; else why not. */
export function checkAdvert(a: ReceivedAdvert, e: AdvertExpectation): VrrpDropReason | null {
  if (a.vrid !== e.vrid) return "vrid";
  if (!e.unicast && a.ttl !== VRRP_TTL) return "ttl";
  if (a.version !== e.version) return "version";
  if (e.version === 2) {
    const r = checkV2Auth(a, e);
    if (r) return r;
    if (a.adverInt !== Math.round(e.adverInt / 1000) * 1000) return "interval_mismatch";
  }
  if (a.addressCount !== e.addresses.length) return "addr_count";
  for (const want of e.addresses) {
    let found = false;
    for (let i = 0; i < a.addressCount && !found; i++) found = advertAddress(a, i) === want >>> 0;
    if (!found) return "addr_list";
  }
  return null;
}

function checkV2Auth(a: ReceivedAdvert, e: AdvertExpectation): VrrpDropReason | null {
  if (a.authType !== VRRP_AUTH_NONE && a.authType !== VRRP_AUTH_PASS && a.authType !== VRRP_AUTH_AH) {
    return "auth_type_invalid";
  }
  if (a.authType !== e.authType) return "auth_type_mismatch";
  if (e.authType === VRRP_AUTH_PASS) {
    const at = a.offset + VRRP_HEADER_LENGTH + a.addressCount * 4;
    if (a.buf.compare(e.authData, 0, VRRP_V2_AUTH_LENGTH, at, at + VRRP_V2_AUTH_LENGTH) !== 0) {
      return "auth_failure";
    }
  }
  return null;
}
