/**
 * One full garbage collection once a burst of connections has settled.
 *
 * A connection's setup (handshake, commands, replies, a joiner's GOP cache
 * in flight) makes objects that live long enough to be promoted to V8's old
 * generation and then die. V8 collects the old generation only when it has
 * grown past a limit, which with onair's small heap (~10 MB) can take many
 * minutes: until then the garbage of the last burst of joins or leaves stays
 * in RSS (~7 KiB per player after 100 players joined at once, measured with
 * `--trace-gc`: no full collection came in the next 100 s). nginx gives
 * such memory back at once (its pools are freed with the connection).
 *
 * So the server reports each connection opened or closed (`churn`) and
 * calls `tick` from its periodic timer; after `minChurn` of them, once
 * `quietMs` pass without another (or `maxDelayMs` after the first, for a
 * server that is never quiet), `collect` runs one full collection: with
 * onair's heap a pause of ~5-10 ms, after a burst only.
 *
 * The same tick keeps the young generation small. V8 collects it only once
 * it is full (1 MiB with `--max-semi-space-size=1`, cli/node-flags.ts), and
 * until then every page that allocation touched stays resident: with a
 * publisher (~60-80 KB allocated a second) RSS climbed by ~0.6-1 MB over
 * ~12 s and fell back at each collection, where nginx's is flat. Which
 * point of that sawtooth a measurement caught moved RSS per player at 10
 * players by up to ~25 KiB (bench/rtmp-fanout.ts). So when the young
 * generation holds `youngCapBytes` (256 KiB) at a tick, `young.collect`
 * runs a scavenge: ~0.3-1 ms with onair's heap (`--trace-gc`), one every
 * ~2-4 s with a publisher, and the young generation's resident part
 * stays under ~0.3 MB. V8's own `--minor-gc-task-trigger=25` does the same
 * with a task of V8's, but under HTTP load (tens of thousands of requests a
 * second, bench/http-rps.ts) it made four times as many scavenges and
 * served ~11% fewer playlist requests a second; from the tick there are at
 * most two more scavenges a second, whatever the load.
 */
import type { Clock } from "./clock.js";

export interface MemoryReducerOptions {
  clock: Clock;
  /** Runs one full collection (the server layer passes V8's). */
  collect: () => void;
  /** Connections opened or closed since the last collection that make one worth it. */
  minChurn?: number;
  /** Time without churn before collecting (ms). */
  quietMs?: number;
  /** Longest wait after the first churn of a burst (the first after `quietMs` without any) (ms). */
  maxDelayMs?: number;
  /** The young generation: how many bytes it holds, and one collection of it alone (the server layer passes V8's). */
  young?: { bytes: () => number; collect: () => void } | null;
  /** What the young generation may hold at a tick before it is collected (bytes). */
  youngCapBytes?: number;
}

export const MEMORY_REDUCER_DEFAULTS = {
  minChurn: 8,
  quietMs: 2000,
  maxDelayMs: 30_000,
  youngCapBytes: 256 * 1024,
};

export class MemoryReducer {
  readonly #clock: Clock;
  readonly #collect: () => void;
  readonly #minChurn: number;
  readonly #quietMs: number;
  readonly #maxDelayMs: number;
  readonly #young: { bytes: () => number; collect: () => void } | null;
  readonly #youngCapBytes: number;
  #churn = 0;
  #first = 0;
  #last = 0;
  /** Full collections run so far. */
  collections = 0;
  /** Collections of the young generation alone run so far. */
  youngCollections = 0;

  constructor(o: MemoryReducerOptions) {
    this.#clock = o.clock;
    this.#collect = o.collect;
    this.#minChurn = o.minChurn ?? MEMORY_REDUCER_DEFAULTS.minChurn;
    this.#quietMs = o.quietMs ?? MEMORY_REDUCER_DEFAULTS.quietMs;
    this.#maxDelayMs = o.maxDelayMs ?? MEMORY_REDUCER_DEFAULTS.maxDelayMs;
    this.#young = o.young ?? null;
    this.#youngCapBytes = o.youngCapBytes ?? MEMORY_REDUCER_DEFAULTS.youngCapBytes;
  }

  /** A connection was opened or closed. */
  churn(): void {
    const now = this.#clock.now();
    // A burst begins at the first churn after a quiet time, not at the first one counted: a
    // few connections long ago (a publisher, a player that left) must not make the next burst
    // collect at once, before its last joins have done their setup.
    if (this.#churn === 0 || now - this.#last >= this.#quietMs) this.#first = now;
    this.#churn++;
    this.#last = now;
  }

  /**
   * Called periodically: runs a full collection when a burst has settled (and returns true),
   * else collects the young generation if it holds `youngCapBytes` or more.
   */
  tick(): boolean {
    if (this.#burstSettled()) {
      this.#churn = 0;
      this.collections++;
      this.#collect();
      return true;
    }
    const young = this.#young;
    if (young && young.bytes() >= this.#youngCapBytes) {
      this.youngCollections++;
      young.collect();
    }
    return false;
  }

  #burstSettled(): boolean {
    if (this.#churn < this.#minChurn) return false;
    const now = this.#clock.now();
    return now - this.#last >= this.#quietMs || now - this.#first >= this.#maxDelayMs;
  }
}
