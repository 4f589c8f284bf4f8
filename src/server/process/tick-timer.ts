/**
 * A one-shot timer for the write batcher's tick (`WriteBatcher`), re-armed
 * at every tick. The addon's (`tickTimer`: a libuv timer that calls its
 * callback through `napi_make_callback`) when it is built, else Node's
 * `setTimeout` with `refresh()`.
 *
 * Why not Node's timers: around each callback they run ~10 functions of
 * their own in JS (the timer lists and their priority queue, the async
 * context push and pop, `refresh` re-inserting the timer), which V8 runs in
 * its interpreter (a tick runs 5 times a second) with cold caches (the
 * process slept 200 ms). In perf profiles with one stream and 10 players
 * the timer's path held 11.7% of the server's samples with Node's timer and
 * 5.3% with this one (most of it the first instructions after the wake-up,
 * which pay the cache misses whatever runs first); the server's CPU fell by
 * ~3% in a probe A/B, within what such pairs move by (docs/benchmarks.md,
 * session 13). The native timer's callback runs with the same guarantees:
 * next ticks and microtasks run after it, and an exception it throws is
 * uncaught.
 */
import { addonFunction } from "./native-addon.js";

export interface TickTimer {
  /** Fires once, `ms` from now (re-arms it if armed). */
  start(ms: number): void;
  stop(): void;
  /** Stopped for good. */
  close(): void;
}

type Handle = object;

interface NativeTick {
  tickTimer(fn: () => void): Handle;
  tickStart(h: Handle, ms: number): void;
  tickStop(h: Handle): void;
  tickClose(h: Handle): void;
}

let native: NativeTick | null | undefined;

function nativeTick(): NativeTick | null {
  if (native === undefined) {
    const make = addonFunction<NativeTick["tickTimer"]>("tickTimer");
    const start = addonFunction<NativeTick["tickStart"]>("tickStart");
    const stop = addonFunction<NativeTick["tickStop"]>("tickStop");
    const close = addonFunction<NativeTick["tickClose"]>("tickClose");
    native =
      make && start && stop && close
        ? { tickTimer: make, tickStart: start, tickStop: stop, tickClose: close }
        : null;
  }
  return native;
}

class AddonTickTimer implements TickTimer {
  readonly #n: NativeTick;
  readonly #h: Handle;
  constructor(n: NativeTick, fn: () => void) {
    this.#n = n;
    this.#h = n.tickTimer(fn);
  }
  start(ms: number): void {
    this.#n.tickStart(this.#h, ms);
  }
  stop(): void {
    this.#n.tickStop(this.#h);
  }
  close(): void {
    this.#n.tickClose(this.#h);
  }
}

/** Node's timer: one Timeout object, re-armed with refresh() (no allocation per tick). */
export class NodeTickTimer implements TickTimer {
  readonly #fn: () => void;
  #t: NodeJS.Timeout | null = null;
  #ms = -1;
  #closed = false;
  constructor(fn: () => void) {
    this.#fn = fn;
  }
  start(ms: number): void {
    if (this.#closed) return;
    if (this.#t !== null && ms === this.#ms) {
      this.#t.refresh();
      return;
    }
    if (this.#t !== null) clearTimeout(this.#t);
    this.#t = setTimeout(this.#fn, ms);
    this.#ms = ms;
  }
  stop(): void {
    if (this.#t !== null) clearTimeout(this.#t);
    this.#t = null;
  }
  close(): void {
    this.#closed = true;
    this.stop();
  }
}

/** The addon's timer when it is built, else Node's. */
export function tickTimer(fn: () => void): TickTimer {
  const n = nativeTick();
  return n ? new AddonTickTimer(n, fn) : new NodeTickTimer(fn);
}

/** Whether `tickTimer` gives the addon's timer (tests, stats). */
export function nativeTickTimer(): boolean {
  return nativeTick() !== null;
}
