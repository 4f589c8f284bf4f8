/** Wire constants of VRRPv2 (RFC 3768) and VRRPv3 (RFC 5798). */

/** RFC 5798 §5.1.1.2: 224.0.0.18. */
export const VRRP_MULTICAST_GROUP = "224.0.0.18";
/** RFC 5798 §5.1.1.3: TTL MUST be 255. */
export const VRRP_TTL = 255;
/** RFC 5798 §5.2.2: the only packet type. */
export const VRRP_TYPE_ADVERTISEMENT = 1;
/** RFC 5798 §5.2: fixed part of the VRRP header. */
export const VRRP_HEADER_LENGTH = 8;
/** RFC 3768 §5.3.10: v2 always carries 8 bytes of authentication data. */
export const VRRP_V2_AUTH_LENGTH = 8;
/** RFC 3768 §5.3.6: auth types. 2 (IP AH) is not supported by onair, as modern keepalived. */
export const VRRP_AUTH_NONE = 0;
export const VRRP_AUTH_PASS = 1;
export const VRRP_AUTH_AH = 2;
/** RFC 5798 §5.2.4: priority of the address owner, and of a master that stops. */
export const VRRP_PRIORITY_OWNER = 255;
export const VRRP_PRIORITY_STOP = 0;
/** RFC 5798 §5.2.5: Count IPvX Addr is one byte. */
export const VRRP_MAX_ADDRESSES = 255;
/** Largest VRRP message onair accepts: v2 with 255 addresses and auth data. */
export const VRRP_MAX_MESSAGE = VRRP_HEADER_LENGTH + VRRP_MAX_ADDRESSES * 4 + VRRP_V2_AUTH_LENGTH;
/** RFC 5798 §5.2.7: 12-bit Max Adver Int in centiseconds. */
export const VRRP_V3_MAX_INTERVAL_CS = 0x0fff;
