/** The only way engines learn the time or wait: injected, so tests drive it. */
export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export interface TimerHandle {
  readonly id: number;
}

/** Real clock for production (performance.now based, monotonic). */
export const systemClock: Clock = (() => {
  const timers = new Map<number, NodeJS.Timeout>();
  let next = 1;
  return {
    now: () => performance.now(),
    setTimeout(fn, ms) {
      const id = next++;
      const t = setTimeout(() => {
        timers.delete(id);
        fn();
      }, ms);
      t.unref?.();
      timers.set(id, t);
      return { id };
    },
    clearTimeout(handle) {
      const t = timers.get(handle.id);
      if (t) clearTimeout(t);
      timers.delete(handle.id);
    },
  };
})();

/** Deterministic clock for tests: time moves only through `advance`. */
export class FakeClock implements Clock {
  #now: number;
  #next = 1;
  #timers = new Map<number, { at: number; fn: () => void }>();

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.#next++;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), fn });
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle.id);
  }

  /** Moves time forward, firing due timers in deadline order. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      let dueId = -1;
      let dueAt = Number.POSITIVE_INFINITY;
      for (const [id, t] of this.#timers) {
        if (t.at <= target && (t.at < dueAt || (t.at === dueAt && id < dueId))) {
          dueAt = t.at;
          dueId = id;
        }
      }
      if (dueId < 0) break;
      const t = this.#timers.get(dueId)!;
      this.#timers.delete(dueId);
      this.#now = Math.max(this.#now, t.at);
      t.fn();
    }
    this.#now = target;
  }

  get pending(): number {
    return this.#timers.size;
  }
}
