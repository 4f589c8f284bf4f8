/**
 * Notify scripts of one VRRP instance, run in transition order: each state
 * change enqueues its scripts (notify_STATE, then `notify` with keepalived's
 * four extra arguments) and they run one after the other. Unlike keepalived,
 * which forks them all at once, a later transition's scripts never overtake
 * an earlier one's. A script that fails is logged; one that hangs is killed
 * (process group, SIGKILL) at the timeout. enqueue() returns at once: the
 * state machine never waits for a script.
 */
import type { Logger } from "../../../util/logger.js";
import { type RunningScript, runScript } from "../checks/script-runner.js";
import type { ScriptIdentity } from "../checks/script-user.js";

export interface NotifyJob {
  /** For logs: "notify_master", "notify". */
  kind: string;
  argv: string[];
}

export interface NotifyQueueOptions {
  instance: string;
  identity: ScriptIdentity;
  timeoutMs: number;
  log: Logger;
}

/** Jobs waiting beyond this are dropped (oldest first) with a log line: a flapping instance cannot grow memory. */
export const MAX_QUEUED_NOTIFY_JOBS = 64;

export class NotifyQueue {
  readonly #opts: NotifyQueueOptions;
  readonly #jobs: NotifyJob[] = [];
  #current: RunningScript | null = null;
  #drain: Promise<void> | null = null;
  #closed = false;
  /** Scripts run, failed, timed out, dropped (for stats). */
  readonly counters = { run: 0, failed: 0, timedOut: 0, dropped: 0 };

  constructor(opts: NotifyQueueOptions) {
    this.#opts = opts;
  }

  enqueue(jobs: NotifyJob[]): void {
    if (this.#closed) return;
    for (const j of jobs) {
      if (this.#jobs.length >= MAX_QUEUED_NOTIFY_JOBS) {
        const lost = this.#jobs.shift()!;
        this.counters.dropped++;
        this.#opts.log.warn(
          `(${this.#opts.instance}) notify queue full, dropped ${lost.kind} ${lost.argv.join(" ")}`,
        );
      }
      this.#jobs.push(j);
    }
    if (!this.#drain) this.#drain = this.#run().finally(() => (this.#drain = null));
  }

  get pending(): number {
    return this.#jobs.length + (this.#current ? 1 : 0);
  }

  /** Resolves when the queue is empty (or after `boundMs`, killing what still runs). */
  async idle(boundMs: number): Promise<boolean> {
    if (!this.#drain) return true;
    let timer: NodeJS.Timeout | undefined;
    const bounded = new Promise<false>((r) => {
      timer = setTimeout(() => r(false), boundMs);
    });
    const done = await Promise.race([this.#drain.then(() => true as const), bounded]);
    clearTimeout(timer);
    return done;
  }

  /** Stops taking jobs; waits up to `boundMs` for queued ones, then kills the one running and drops the rest. */
  async close(boundMs: number): Promise<void> {
    const done = await this.idle(boundMs);
    this.#closed = true;
    if (!done) {
      const left = this.#jobs.length;
      this.#jobs.length = 0;
      if (left) this.#opts.log.warn(`(${this.#opts.instance}) ${left} notify script(s) not run at shutdown`);
      this.#current?.kill();
      await this.#drain;
    }
  }

  async #run(): Promise<void> {
    for (let job = this.#jobs.shift(); job; job = this.#jobs.shift()) {
      await this.#runOne(job);
    }
  }

  async #runOne(job: NotifyJob): Promise<void> {
    const { log, instance } = this.#opts;
    log.info(`(${instance}) running ${job.kind}: ${job.argv.join(" ")}`);
    this.counters.run++;
    this.#current = runScript({
      argv: job.argv,
      identity: this.#opts.identity,
      timeoutMs: this.#opts.timeoutMs,
    });
    const r = await this.#current.result;
    this.#current = null;
    if (r.timedOut) {
      this.counters.timedOut++;
      log.error(`(${instance}) ${job.kind} script ${job.argv[0]} ${r.detail}`);
    } else if (!r.ok) {
      this.counters.failed++;
      log.warn(`(${instance}) ${job.kind} script ${job.argv[0]} failed: ${r.detail}`);
    }
  }
}
