/**
 * Runs one health check every `interval`, as keepalived's vrrp_script_thread:
 * the first run at once, then one run per interval counted from the start of
 * the previous one; a run still going when the next is due is not doubled
 * (the due run is skipped and counted). The check itself (a child process, an
 * HTTP request) is injected and enforces its own timeout; a check that throws
 * counts as a failure. Clock injected, no I/O.
 */
import type { Clock, TimerHandle } from "../clock.js";

export interface CheckOutcome {
  ok: boolean;
  /** One short human reason, logged on transitions ("exit status 1", "timed out after 2000 ms"). */
  detail: string;
  timedOut?: boolean;
}

export interface CheckSchedulerOptions {
  clock: Clock;
  intervalMs: number;
  run: () => Promise<CheckOutcome>;
  onResult: (outcome: CheckOutcome) => void;
}

export class CheckScheduler {
  readonly #opts: CheckSchedulerOptions;
  #timer: TimerHandle | null = null;
  #running: Promise<void> | null = null;
  #stopped = true;
  /** Runs skipped because the previous one had not finished. */
  skipped = 0;
  runs = 0;

  constructor(opts: CheckSchedulerOptions) {
    this.#opts = { ...opts, intervalMs: Math.max(1, opts.intervalMs) };
  }

  get running(): boolean {
    return this.#running !== null;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#schedule(0);
  }

  /** Stops scheduling; resolves once a run in progress (if any) has ended. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) this.#opts.clock.clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#running) await this.#running;
  }

  #schedule(ms: number): void {
    this.#timer = this.#opts.clock.setTimeout(() => this.#tick(), ms);
  }

  #tick(): void {
    this.#timer = null;
    if (this.#stopped) return;
    this.#schedule(this.#opts.intervalMs);
    if (this.#running) {
      this.skipped++;
      return;
    }
    this.runs++;
    this.#running = this.#runOnce().finally(() => {
      this.#running = null;
    });
  }

  async #runOnce(): Promise<void> {
    let outcome: CheckOutcome;
    try {
      outcome = await this.#opts.run();
    } catch (e) {
      outcome = { ok: false, detail: `check error: ${(e as Error).message}` };
    }
    if (!this.#stopped) this.#opts.onResult(outcome);
  }
}
