/**
 * V8's garbage collector, for the memory reducer (engine/memory-reducer.ts):
 * a full collection, a collection of the young generation only, and how
 * much the young generation holds.
 *
 * The collector is `globalThis.gc` when node runs with `--expose-gc`;
 * otherwise the function V8 puts in new contexts once the flag is set at run
 * time (what `v8.setFlagsFromString` documents flags for), so onair needs no
 * extra command-line option. Null when neither works.
 */
import { getHeapSpaceStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

type GcFunction = (options?: { type?: "major" | "minor" }) => void;

let collector: GcFunction | null | undefined;

function gcFunction(): GcFunction | null {
  if (collector !== undefined) return collector;
  const g = (globalThis as { gc?: unknown }).gc;
  if (typeof g === "function") {
    collector = g as GcFunction;
    return collector;
  }
  try {
    setFlagsFromString("--expose-gc");
    const fn: unknown = runInNewContext("gc");
    collector = typeof fn === "function" ? (fn as GcFunction) : null;
  } catch {
    collector = null;
  }
  return collector;
}

/** One full collection (both generations), or null. */
export function fullGc(): (() => void) | null {
  const gc = gcFunction();
  return gc ? () => gc() : null;
}

/** One collection of the young generation (a scavenge), or null. */
export function minorGc(): (() => void) | null {
  const gc = gcFunction();
  return gc ? () => gc({ type: "minor" }) : null;
}

/** Bytes the young generation (V8's new space) holds now: what survived its last collection and what was allocated since. */
export function youngGenerationBytes(): number {
  for (const s of getHeapSpaceStatistics()) if (s.space_name === "new_space") return s.space_used_size;
  return 0;
}
