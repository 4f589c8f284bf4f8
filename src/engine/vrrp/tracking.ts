/**
 * Health tracking for VRRP instances, as keepalived computes it
 * (keepalived/vrrp/vrrp_track.c, vrrp_scheduler.c): per-check rise/fall
 * counting, the per-instance sum of weights, FAULT on a failing weight-0
 * check, the effective priority clamped to 1..254 and an address owner (255)
 * never changed. Pure: results are fed in, verdicts come out.
 */
import type { KeepalivedConfig, VrrpInstanceConfig } from "../../config/types.js";

/** RFC 5798 §5.2.4: the IP address owner's priority; tracking never changes it. */
export const VRRP_PRIO_OWNER = 255;
/** keepalived vrrp_set_effective_priority(): the effective priority stays within 1..254. */
export const VRRP_PRIO_MIN_EFFECTIVE = 1;
export const VRRP_PRIO_MAX_EFFECTIVE = 254;

export type CheckStatus = "init" | "good" | "bad";

/**
 * keepalived's counter (vrrp_script_child_thread): `result` runs over
 * 0..rise+fall-1 and the check is good when result >= rise. It starts at
 * rise-1 ("one success is enough"); a success while bad climbs by one and,
 * at rise, jumps to the top; a failure while good steps down by one and, at
 * the fall-th, drops to 0. So `fall` consecutive failures turn a good check
 * bad and `rise` consecutive successes turn a bad one good.
 */
export class RiseFallCounter {
  readonly rise: number;
  readonly fall: number;
  #result: number;
  #init = true;

  constructor(rise: number, fall: number) {
    this.rise = Math.max(1, Math.floor(rise));
    this.fall = Math.max(1, Math.floor(fall));
    this.#result = this.rise - 1;
  }

  get status(): CheckStatus {
    if (this.#init) return "init";
    return this.#result >= this.rise ? "good" : "bad";
  }

  /** Feeds one check outcome; returns true when the status changed (leaving init counts). */
  record(ok: boolean): boolean {
    const before = this.status;
    const top = this.rise + this.fall - 1;
    if (ok) {
      if (this.#result < this.rise - 1) this.#result++;
      else this.#result = top;
    } else if (this.#result > this.rise) {
      this.#result--;
    } else {
      this.#result = 0;
    }
    this.#init = false;
    return this.status !== before;
  }
}

export type InterfaceStatus = "unknown" | "up" | "down";

export interface FailingTrack {
  kind: "script" | "interface";
  name: string;
  /** The weight in effect for this instance (0 = FAULT). */
  weight: number;
}

export interface TrackVerdict {
  instance: string;
  basePriority: number;
  /** Sum of the weights in effect (before clamping). */
  rawDelta: number;
  /** effectivePriority - basePriority: what to hand the daemon. */
  delta: number;
  effectivePriority: number;
  /** Non-null while a weight-0 check fails or a weight-0 interface is down. */
  fault: string | null;
  /** Checks currently failing (any weight), for logs and the stuck-master warning. */
  failing: FailingTrack[];
}

interface TrackRef {
  name: string;
  weight: number;
}

interface InstanceTracks {
  config: VrrpInstanceConfig;
  scripts: TrackRef[];
  interfaces: TrackRef[];
}

export interface TrackingModelOptions {
  /**
   * Track the instance's own `interface` with weight 0 (keepalived does unless
   * `dont_track_primary`). Default true.
   */
  trackPrimaryInterface?: boolean;
}

/** Clamps a priority as keepalived's vrrp_set_effective_priority() does. */
export function effectivePriority(base: number, rawDelta: number): number {
  if (base >= VRRP_PRIO_OWNER) return VRRP_PRIO_OWNER;
  const total = base + rawDelta;
  if (total < VRRP_PRIO_MIN_EFFECTIVE) return VRRP_PRIO_MIN_EFFECTIVE;
  if (total > VRRP_PRIO_MAX_EFFECTIVE) return VRRP_PRIO_MAX_EFFECTIVE;
  return total;
}

/**
 * Contribution of one tracked item (vrrp_track.c process_script_update_priority):
 * a positive weight is added while healthy, a negative one while failing.
 */
export function weightContribution(weight: number, healthy: boolean): number {
  if (weight > 0 && healthy) return weight;
  if (weight < 0 && !healthy) return weight;
  return 0;
}

/** The whole tracking state of one daemon: counters per script, link state per interface. */
export class TrackingModel {
  readonly #counters = new Map<string, RiseFallCounter>();
  readonly #links = new Map<string, InterfaceStatus>();
  readonly #instances: InstanceTracks[] = [];

  constructor(config: KeepalivedConfig, opts: TrackingModelOptions = {}) {
    const trackPrimary = opts.trackPrimaryInterface ?? true;
    for (const inst of config.instances) {
      const scripts: TrackRef[] = [];
      for (const ts of inst.trackScript) {
        const sc = config.scripts.get(ts.name);
        if (!sc) continue; // keepalived: "track script %s not found, ignoring..."
        if (scripts.some((s) => s.name === ts.name)) continue;
        scripts.push({ name: ts.name, weight: ts.weight ?? sc.weight });
        if (!this.#counters.has(ts.name)) this.#counters.set(ts.name, new RiseFallCounter(sc.rise, sc.fall));
      }
      const interfaces: TrackRef[] = [];
      if (trackPrimary && inst.interface) interfaces.push({ name: inst.interface, weight: 0 });
      for (const ti of inst.trackInterface) {
        const existing = interfaces.find((i) => i.name === ti.name);
        if (existing) existing.weight = ti.weight ?? 0;
        else interfaces.push({ name: ti.name, weight: ti.weight ?? 0 });
      }
      for (const i of interfaces) this.#links.set(i.name, "unknown");
      this.#instances.push({ config: inst, scripts, interfaces });
    }
  }

  /** Names of the scripts at least one instance tracks (keepalived runs only those). */
  trackedScripts(): string[] {
    return [...this.#counters.keys()];
  }

  trackedInterfaces(): string[] {
    return [...this.#links.keys()];
  }

  instanceNames(): string[] {
    return this.#instances.map((i) => i.config.name);
  }

  scriptStatus(name: string): CheckStatus | undefined {
    return this.#counters.get(name)?.status;
  }

  interfaceStatus(name: string): InterfaceStatus | undefined {
    return this.#links.get(name);
  }

  /** Records one run of a script; returns the instances whose verdict may have changed. */
  recordScript(name: string, ok: boolean): { changed: boolean; status: CheckStatus; instances: string[] } {
    const counter = this.#counters.get(name);
    if (!counter) return { changed: false, status: "init", instances: [] };
    const changed = counter.record(ok);
    const instances = changed
      ? this.#instances.filter((i) => i.scripts.some((s) => s.name === name)).map((i) => i.config.name)
      : [];
    return { changed, status: counter.status, instances };
  }

  /** Records an interface's link state; returns the instances whose verdict may have changed. */
  setInterface(name: string, up: boolean): { changed: boolean; instances: string[] } {
    const before = this.#links.get(name);
    if (before === undefined) return { changed: false, instances: [] };
    const now: InterfaceStatus = up ? "up" : "down";
    if (before === now) return { changed: false, instances: [] };
    this.#links.set(name, now);
    const instances = this.#instances
      .filter((i) => i.interfaces.some((t) => t.name === name))
      .map((i) => i.config.name);
    return { changed: true, instances };
  }

  verdict(instance: string): TrackVerdict {
    const inst = this.#instances.find((i) => i.config.name === instance);
    if (!inst) throw new Error(`unknown vrrp_instance ${instance}`);
    return this.#verdictOf(inst);
  }

  verdicts(): TrackVerdict[] {
    return this.#instances.map((i) => this.#verdictOf(i));
  }

  #verdictOf(inst: InstanceTracks): TrackVerdict {
    let rawDelta = 0;
    const faults: string[] = [];
    const failing: FailingTrack[] = [];
    for (const s of inst.scripts) {
      const status = this.#counters.get(s.name)?.status ?? "init";
      if (status === "init") continue; // no result yet: no contribution (vrrp_track.c)
      const healthy = status === "good";
      if (!healthy) failing.push({ kind: "script", name: s.name, weight: s.weight });
      if (s.weight === 0) {
        if (!healthy) faults.push(`vrrp_script ${s.name} failed`);
      } else {
        rawDelta += weightContribution(s.weight, healthy);
      }
    }
    for (const t of inst.interfaces) {
      const status = this.#links.get(t.name) ?? "unknown";
      if (status === "unknown") continue;
      const healthy = status === "up";
      if (!healthy) failing.push({ kind: "interface", name: t.name, weight: t.weight });
      if (t.weight === 0) {
        if (!healthy) faults.push(`interface ${t.name} down`);
      } else {
        rawDelta += weightContribution(t.weight, healthy);
      }
    }
    const base = inst.config.priority;
    const eff = effectivePriority(base, rawDelta);
    return {
      instance: inst.config.name,
      basePriority: base,
      rawDelta,
      delta: eff - base,
      effectivePriority: eff,
      fault: faults.length ? faults.join(", ") : null,
      failing,
    };
  }
}
