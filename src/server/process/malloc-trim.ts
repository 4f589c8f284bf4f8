/**
 * glibc's `malloc_trim(0)`, through the project's addon: gives the system the
 * free pages malloc keeps, in the middle of its heap too (it returns only
 * the top on its own). What V8 mallocs and frees around a burst of joins
 * (TurboFan's zones compiling the newly hot fan-out paths, ~0.4 MB measured
 * after 10 players joined) otherwise stays in RSS. Ruby does the same after
 * its full collections. Null when the addon is not built (nothing is lost
 * but that memory).
 */
import { loadNativeAddon } from "./native-addon.js";

export function mallocTrim(): (() => boolean) | null {
  try {
    const fn = (loadNativeAddon() as { mallocTrim?: unknown }).mallocTrim;
    return typeof fn === "function" ? (fn as () => boolean) : null;
  } catch {
    return null;
  }
}
