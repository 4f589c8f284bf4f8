/**
 * V8's full garbage collection, for the memory reducer
 * (engine/memory-reducer.ts). `globalThis.gc` when node runs with
 * `--expose-gc`; otherwise the function V8 puts in new contexts once the
 * flag is set at run time (what `v8.setFlagsFromString` documents flags
 * for), so onair needs no extra command-line option. Null when neither works.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

export function fullGc(): (() => void) | null {
  const g = (globalThis as { gc?: unknown }).gc;
  if (typeof g === "function") return g as () => void;
  try {
    setFlagsFromString("--expose-gc");
    const fn: unknown = runInNewContext("gc");
    return typeof fn === "function" ? (fn as () => void) : null;
  } catch {
    return null;
  }
}
