/**
 * The project's C addon (native/src/onair_net.c, built by `npm ci`), loaded
 * once, on first use. The VRRP daemon needs it (raw sockets, gratuitous
 * ARP, addresses); the streaming server asks it to give malloc's free
 * pages back, to keep few of them, and how many there are (malloc-trim.ts),
 * and for the write batcher's tick timer (tick-timer.ts), and runs without
 * it (Node's timers then).
 */
import { createRequire } from "node:module";

export const NATIVE_ADDON_PATH = new URL("../../../native/build/Release/onair_net.node", import.meta.url)
  .pathname;

let loaded: unknown = null;

/** The addon's exports; throws when it is not built. */
export function loadNativeAddon(): unknown {
  loaded ??= createRequire(import.meta.url)(NATIVE_ADDON_PATH);
  return loaded;
}

/** One function of the addon; null when the addon is not built or lacks it. */
export function addonFunction<F>(name: string): F | null {
  try {
    const fn = (loadNativeAddon() as Record<string, unknown>)[name];
    return typeof fn === "function" ? (fn as F) : null;
  } catch {
    return null;
  }
}
