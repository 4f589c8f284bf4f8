/**
 * Runs one `vrrp-instance` state machine on an injected Clock: holds its
 * state, feeds it events, keeps one timer armed at the earliest deadline and
 * hands every produced action to `perform` (the server layer's I/O). Still no
 * I/O here, so tests drive it with FakeClock.
 */
import type { Clock, TimerHandle } from "../clock.js";
import {
  type InstanceParams,
  type InstanceState,
  initialInstanceState,
  nextDeadline,
  priorityOf,
  step,
  type VrrpAction,
  type VrrpEvent,
} from "./vrrp-instance.js";

export class InstanceDriver {
  readonly params: InstanceParams;
  #state: InstanceState;
  readonly #clock: Clock;
  readonly #perform: (actions: VrrpAction[]) => void;
  #timer: TimerHandle | null = null;
  #timerAt: number | null = null;

  constructor(params: InstanceParams, clock: Clock, perform: (actions: VrrpAction[]) => void) {
    this.params = params;
    this.#state = initialInstanceState(params);
    this.#clock = clock;
    this.#perform = perform;
  }

  get state(): Readonly<InstanceState> {
    return this.#state;
  }

  get priority(): number {
    return priorityOf(this.params, this.#state);
  }

  dispatch(ev: VrrpEvent): void {
    const r = step(this.params, this.#state, ev, this.#clock.now());
    this.#state = r.state;
    this.#arm();
    if (r.actions.length > 0) this.#perform(r.actions);
  }

  /** Stops the timer (after shutdown). */
  dispose(): void {
    if (this.#timer) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
    this.#timerAt = null;
  }

  #arm(): void {
    const at = nextDeadline(this.#state);
    if (at === this.#timerAt) return;
    if (this.#timer) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
    this.#timerAt = at;
    if (at === null) return;
    this.#timer = this.#clock.setTimeout(
      () => {
        this.#timer = null;
        this.#timerAt = null;
        this.dispatch({ type: "timer" });
      },
      Math.max(0, at - this.#clock.now()),
    );
  }
}
