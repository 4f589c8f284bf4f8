/**
 * glibc's `malloc_trim(0)`, through the project's addon: gives the system the
 * free pages malloc keeps, in the middle of its heap too (it returns only
 * the top on its own). What V8 mallocs and frees around a burst of joins
 * (TurboFan's zones compiling the newly hot fan-out paths, ~0.4 MB measured
 * after 10 players joined) otherwise stays in RSS. Ruby does the same after
 * its full collections. Null when the addon is not built (nothing is lost
 * but that memory). And the limit on what glibc keeps free at its heap's
 * top between two trims (`mallocKeepTop`).
 */
import { addonFunction } from "./native-addon.js";

export function mallocTrim(): (() => boolean) | null {
  return addonFunction<() => boolean>("mallocTrim");
}

/** What glibc may keep free at the top of its heap before it gives it back on its own. */
export const MALLOC_KEEP_TOP_BYTES = 64 << 10;

/**
 * Has glibc give back the free top of its heap as soon as it exceeds
 * `bytes` (M_TRIM_THRESHOLD) and grow it by no more than asked (M_TOP_PAD
 * 0). By default glibc keeps 128 KiB there, and after freeing a block of
 * `mmap` size (most likely a keyframe's assembly buffer; not checked) raises that
 * limit to twice the block's size: the streaming server's heap then kept
 * 0.2-0.6 MB free at its top, more or less depending on when V8's compiler
 * last freed its zones there, which moved RSS by that much from one minute
 * to the next. Setting the limit also fixes glibc's mmap threshold at 128
 * KiB (blocks above it are mapped on their own and unmapped when freed).
 * False when the addon or glibc is missing (nothing lost but that memory).
 */
export function mallocKeepTop(bytes = MALLOC_KEEP_TOP_BYTES): boolean {
  return addonFunction<(bytes: number) => boolean>("mallocKeepTop")?.(bytes) ?? false;
}

/** glibc's view of its heap (mallinfo2), in bytes; null without the addon or glibc. */
export interface MallocInfo {
  /** The heap's size (sbrk'd; mapped blocks apart). */
  heap: number;
  inUse: number;
  free: number;
  /** The free top, which glibc can give back at once. */
  topFree: number;
  /** Blocks mapped on their own (above the mmap threshold). */
  mapped: number;
}

export function mallocInfo(): MallocInfo | null {
  return addonFunction<() => MallocInfo | null>("mallocInfo")?.() ?? null;
}
