/** Bits per second over the last full window, updated on each add (one compare, no timers). */
export class RateMeter {
  readonly windowMs: number;
  #start = -1;
  #bytes = 0;
  #rate = 0;
  #lastAt = 0;
  #full = false;
  total = 0;

  constructor(windowMs = 1000) {
    this.windowMs = windowMs;
  }

  add(bytes: number, now: number): void {
    this.total += bytes;
    this.#roll(now);
    this.#bytes += bytes;
  }

  #roll(now: number): void {
    if (this.#start < 0) this.#start = now;
    const span = now - this.#start;
    if (span >= this.windowMs) {
      // A window with no traffic after it reads as zero.
      this.#full = true;
      this.#rate = span >= 2 * this.windowMs ? 0 : (this.#bytes * 8 * 1000) / span;
      this.#start = now;
      this.#bytes = 0;
    }
    this.#lastAt = now;
  }

  /** bit/s of the last completed window (0 once traffic has stopped for two windows). */
  rate(now: number): number {
    if (this.#start < 0 || now - this.#lastAt >= 2 * this.windowMs) return 0;
    if (!this.#full) {
      // First window still open: estimate from what came so far.
      const span = Math.max(now - this.#start, 100);
      return Math.round((this.#bytes * 8 * 1000) / span);
    }
    return Math.round(this.#rate);
  }
}
