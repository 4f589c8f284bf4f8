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
}

export const MEMORY_REDUCER_DEFAULTS = { minChurn: 8, quietMs: 2000, maxDelayMs: 30_000 };

export class MemoryReducer {
  readonly #clock: Clock;
  readonly #collect: () => void;
  readonly #minChurn: number;
  readonly #quietMs: number;
  readonly #maxDelayMs: number;
  #churn = 0;
  #first = 0;
  #last = 0;
  /** Collections run so far. */
  collections = 0;

  constructor(o: MemoryReducerOptions) {
    this.#clock = o.clock;
    this.#collect = o.collect;
    this.#minChurn = o.minChurn ?? MEMORY_REDUCER_DEFAULTS.minChurn;
    this.#quietMs = o.quietMs ?? MEMORY_REDUCER_DEFAULTS.quietMs;
    this.#maxDelayMs = o.maxDelayMs ?? MEMORY_REDUCER_DEFAULTS.maxDelayMs;
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

  /** Called periodically: collects when a burst has settled. Returns true when it collected. */
  tick(): boolean {
    if (this.#churn < this.#minChurn) return false;
    const now = this.#clock.now();
    if (now - this.#last < this.#quietMs && now - this.#first < this.#maxDelayMs) return false;
    this.#churn = 0;
    this.collections++;
    this.#collect();
    return true;
  }
}
