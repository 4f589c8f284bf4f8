/**
 * Typed access to the C addon (native/src/onair_net.c): raw IPv4 protocol-112
 * sockets and AF_PACKET frames. Loaded lazily so that importing the daemon
 * without the addon built fails with one clear line, not at module load.
 */
import { OnairError } from "../../util/errors.js";
import { loadNativeAddon, NATIVE_ADDON_PATH } from "../process/native-addon.js";

export type VrrpSocketHandle = { readonly __brand: "VrrpSocketHandle" };

export interface OpenVrrpSocketOptions {
  ifname: string;
  /** Source address to bind (primary address or unicast_src_ip). */
  src: string;
  /** Multicast group to join and receive on (224.0.0.18); omit for unicast. */
  group?: string;
  /** IP TTL of sent packets (default 255, as RFC 5798 requires). Tests send other values. */
  ttl?: number;
  /** Called with each received datagram (IP header included) and its real length. */
  onPacket?: (datagram: Buffer, length: number) => void;
}

interface NativeNet {
  openVrrpSocket(opts: OpenVrrpSocketOptions): VrrpSocketHandle;
  vrrpSend(h: VrrpSocketHandle, buf: Buffer, dst: string): number;
  vrrpClose(h: VrrpSocketHandle): void;
  sendFrame(ifname: string, frame: Buffer): number;
  /** rtnetlink RTM_NEWADDR (replace) / RTM_DELADDR; 0 or -errno. */
  addressChange(add: boolean, ifname: string, address: string, prefixLen: number): number;
}

export const NEED_CAPS_MESSAGE =
  "onair vrrp: need root or CAP_NET_RAW+CAP_NET_ADMIN to open a raw VRRP socket";

let loaded: NativeNet | null = null;

export function nativeNet(): NativeNet {
  if (loaded) return loaded;
  const path = NATIVE_ADDON_PATH;
  try {
    loaded = loadNativeAddon() as NativeNet;
  } catch (err) {
    throw new OnairError(
      "ONAIR_VRRP_NATIVE_MISSING",
      `onair vrrp: the native addon is not built (${path}); run \`npm ci\` or \`npm run install\``,
      { path, cause: String(err) },
    );
  }
  return loaded;
}

/** Opens a VRRP socket; lacking privileges becomes ONAIR_VRRP_NEED_CAPS with the one-line message. */
export function openVrrpSocket(opts: OpenVrrpSocketOptions): VrrpSocketHandle {
  try {
    return nativeNet().openVrrpSocket(opts);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "EPERM" || code === "EACCES") {
      throw new OnairError("ONAIR_VRRP_NEED_CAPS", NEED_CAPS_MESSAGE, { interface: opts.ifname });
    }
    if (err instanceof OnairError) throw err;
    throw new OnairError("ONAIR_VRRP_SOCKET", `onair vrrp: ${opts.ifname}: ${(err as Error).message}`, {
      interface: opts.ifname,
    });
  }
}
