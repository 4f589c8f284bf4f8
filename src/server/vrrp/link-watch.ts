/**
 * The instance's own interface, as keepalived tracks it (unless
 * dont_track_primary): polled from sysfs (carrier and operstate); no carrier
 * or admin down puts the instance in FAULT, back up clears it.
 */
import type { InstanceRuntime } from "./instance-runtime.js";
import { interfaceRunning } from "./iproute.js";

export class LinkWatch {
  readonly #runtimes: InstanceRuntime[];
  #timer: NodeJS.Timeout | null = null;
  #busy = false;

  constructor(runtimes: InstanceRuntime[]) {
    this.#runtimes = runtimes;
  }

  /** Reads every interface once and updates the instances' link fault. */
  async check(): Promise<void> {
    for (const rt of this.#runtimes) {
      const fault = (await interfaceRunning(rt.cfg.interface)) ? null : `interface ${rt.cfg.interface} down`;
      if (fault !== rt.linkFault) {
        rt.linkFault = fault;
        rt.updateFault();
      }
    }
  }

  start(periodMs: number): void {
    if (periodMs <= 0) return;
    this.#timer = setInterval(() => {
      if (this.#busy) return;
      this.#busy = true;
      this.check().finally(() => {
        this.#busy = false;
      });
    }, periodMs);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}
