/**
 * Wires health tracking to the VRRP daemon: runs every tracked `vrrp_script`
 * (script or built-in HTTP check) on its interval, watches tracked
 * interfaces, feeds results to the pure TrackingModel and hands the daemon
 * each instance's priority delta (already clamped: base + delta is the
 * effective priority) and FAULT reason. Logs keepalived's lines
 * ("VRRP_Script(chk_nginx) failed") and, once per episode, the line no
 * keepalived gives when a failing check leaves the master above its peer.
 */
import type { KeepalivedConfig, VrrpInstanceConfig } from "../../config/types.js";
import { type Clock, systemClock } from "../../engine/clock.js";
import { TrackingModel, type TrackVerdict } from "../../engine/vrrp/tracking.js";
import { type CheckOutcome, CheckScheduler } from "../../engine/vrrp/tracking-scheduler.js";
import {
  DEFAULT_BACKUP_PRIORITY,
  type HeardPeer,
  stuckMasterWarning,
} from "../../engine/vrrp/tracking-warning.js";
import type { Logger } from "../../util/logger.js";
import { type HealthCheck, makeHealthCheck } from "./checks/index.js";
import { type InterfaceMonitor, startInterfaceMonitor } from "./interface-monitor.js";

export interface VrrpStateEvent {
  instance: VrrpInstanceConfig;
  from: string;
  to: string;
  priority: number;
  reason: string;
}

/** The part of the daemon (src/server/vrrp/daemon.ts VrrpDaemon) tracking and notify use. */
export interface VrrpDaemonHooks {
  setTrackedPriority(instance: string, delta: number): void;
  setFault(instance: string, reason: string | null): void;
  on(event: "state", fn: (ev: VrrpStateEvent) => void): void;
  status(): unknown;
}

export interface TrackingOptions {
  clock?: Clock;
  /** Interface poll period (ms, default 100). */
  linkPollMs?: number;
  /** For tests: a folder laid out like /sys/class/net. */
  sysClassNet?: string;
  /** Also watch each instance's own interface (default false: the daemon does). */
  trackPrimaryInterface?: boolean;
}

export interface TrackingHandle {
  stop(): Promise<void>;
  /** Current verdicts (for status output). */
  verdicts(): TrackVerdict[];
}

function pickNumber(o: Record<string, unknown>, keys: string[]): number | null {
  for (const k of keys) if (typeof o[k] === "number") return o[k] as number;
  return null;
}

/**
 * The priority this instance last heard from a peer, if the daemon's status()
 * exposes it (fields tried: peerPriority / masterPriority / lastHeardPriority
 * with peerAddress / masterAddress / lastHeardFrom / master, per instance, in
 * an array, an array `instances` or a record keyed by name).
 */
export function heardPeer(status: unknown, instance: string): HeardPeer | null {
  if (!status || typeof status !== "object") return null;
  const s = status as Record<string, unknown>;
  const pool = s.instances ?? s;
  let entry: unknown;
  if (Array.isArray(pool))
    entry = pool.find((e) => e && typeof e === "object" && (e as { name?: unknown }).name === instance);
  else if (pool && typeof pool === "object") entry = (pool as Record<string, unknown>)[instance];
  if (!entry || typeof entry !== "object") return null;
  const e = entry as Record<string, unknown>;
  const nested = e.peer && typeof e.peer === "object" ? (e.peer as Record<string, unknown>) : null;
  const src = nested ?? e;
  const priority = nested
    ? pickNumber(nested, ["priority", "peerPriority", "masterPriority"])
    : pickNumber(e, ["peerPriority", "masterPriority", "lastHeardPriority"]);
  if (priority === null) return null;
  const addr = src.address ?? src.peerAddress ?? src.masterAddress ?? src.lastHeardFrom ?? src.master;
  return { priority, address: typeof addr === "string" ? addr : null };
}

/** The live wiring: model + checks + link monitor → daemon hooks and log lines. */
class Tracker {
  readonly #daemon: VrrpDaemonHooks;
  readonly #log: Logger;
  readonly #model: TrackingModel;
  readonly #states = new Map<string, string>();
  readonly #applied = new Map<string, { delta: number; fault: string | null }>();
  readonly #warned = new Set<string>();
  readonly #checks: HealthCheck[] = [];
  readonly #schedulers: CheckScheduler[] = [];
  #monitor: InterfaceMonitor | null = null;

  constructor(daemon: VrrpDaemonHooks, config: KeepalivedConfig, log: Logger, opts: TrackingOptions) {
    this.#daemon = daemon;
    this.#log = log;
    // The daemon watches each instance's own interface itself; we watch track_interface.
    this.#model = new TrackingModel(config, { trackPrimaryInterface: opts.trackPrimaryInterface ?? false });
    daemon.on("state", (ev) => {
      this.#states.set(ev.instance.name, ev.to);
      if (this.#model.instanceNames().includes(ev.instance.name)) this.#checkStuck(ev.instance.name);
    });
    for (const name of this.#model.trackedScripts()) this.#addCheck(config, name, opts.clock ?? systemClock);
    const ifaces = this.#model.trackedInterfaces();
    if (ifaces.length) {
      this.#monitor = startInterfaceMonitor(ifaces, (n, up) => this.#onLink(n, up), {
        pollMs: opts.linkPollMs,
        sysClassNet: opts.sysClassNet,
      });
    }
    this.#apply(this.#model.instanceNames());
    for (const sched of this.#schedulers) sched.start();
  }

  verdicts(): TrackVerdict[] {
    return this.#model.verdicts();
  }

  async stop(): Promise<void> {
    const stopping = this.#schedulers.map((sched) => sched.stop());
    for (const c of this.#checks) c.kill();
    await Promise.all(stopping);
    await this.#monitor?.stop();
  }

  #addCheck(config: KeepalivedConfig, name: string, clock: Clock): void {
    const sc = config.scripts.get(name)!;
    let check: HealthCheck;
    try {
      check = makeHealthCheck(sc, config.globalDefs);
    } catch (e) {
      this.#log.error(`VRRP_Script(${name}) disabled: ${(e as Error).message}`);
      return;
    }
    this.#log.info(
      `VRRP_Script(${name}): ${check.describe}, every ${sc.interval} ms, timeout ${sc.timeout} ms`,
    );
    this.#checks.push(check);
    this.#schedulers.push(
      new CheckScheduler({
        clock,
        intervalMs: sc.interval,
        run: () => check.run(),
        onResult: (o) => this.#onResult(name, o),
      }),
    );
  }

  #onResult(name: string, o: CheckOutcome): void {
    const r = this.#model.recordScript(name, o.ok);
    if (o.timedOut) this.#log.warn(`VRRP_Script(${name}) timed out: ${o.detail}`);
    else this.#log.debug(`VRRP_Script(${name}): ${o.detail}`);
    if (!r.changed) return;
    if (r.status === "good") this.#log.info(`VRRP_Script(${name}) succeeded`);
    else this.#log.warn(`VRRP_Script(${name}) failed: ${o.detail}`);
    this.#apply(r.instances);
  }

  #onLink(ifname: string, up: boolean): void {
    const r = this.#model.setInterface(ifname, up);
    if (!r.changed) return;
    this.#log.info(`interface ${ifname} is ${up ? "up" : "down"}`);
    this.#apply(r.instances);
  }

  #apply(names: readonly string[]): void {
    for (const name of names) {
      const v = this.#model.verdict(name);
      const prev = this.#applied.get(name) ?? { delta: 0, fault: null };
      if (v.delta !== prev.delta) {
        const why = v.failing.length ? ` (${v.failing.map((f) => f.name).join(", ")} failing)` : "";
        this.#log.info(
          `(${name}) tracking: effective priority ${v.basePriority + prev.delta} -> ${v.effectivePriority}${why}`,
        );
        this.#daemon.setTrackedPriority(name, v.delta);
      }
      if (v.fault !== prev.fault) {
        if (v.fault) this.#log.warn(`(${name}) entering FAULT: ${v.fault}`);
        else this.#log.info(`(${name}) tracked checks and interfaces are healthy again, leaving FAULT`);
        this.#daemon.setFault(name, v.fault);
      }
      this.#applied.set(name, { delta: v.delta, fault: v.fault });
      this.#checkStuck(name);
    }
  }

  /** Logs the stuck-master line once per episode (until no weighted check fails). */
  #checkStuck(name: string): void {
    const v = this.#model.verdict(name);
    let peer: HeardPeer | null = null;
    try {
      peer = heardPeer(this.#daemon.status(), name);
    } catch {
      peer = null;
    }
    const assumed = { priority: DEFAULT_BACKUP_PRIORITY, address: null };
    const line = stuckMasterWarning(v, this.#states.get(name) ?? "", peer ?? assumed);
    if (line && !this.#warned.has(name)) {
      this.#warned.add(name);
      this.#log.warn(line);
    } else if (!line && v.failing.every((f) => f.weight === 0)) {
      this.#warned.delete(name);
    }
  }
}

/**
 * Starts tracking for every instance of `config` and drives `daemon` with the
 * results. Call before the daemon starts its instances, stop() before it shuts down.
 */
export function attachTracking(
  daemon: VrrpDaemonHooks,
  config: KeepalivedConfig,
  log: Logger,
  opts: TrackingOptions = {},
): TrackingHandle {
  const tracker = new Tracker(daemon, config, log, opts);
  return { verdicts: () => tracker.verdicts(), stop: () => tracker.stop() };
}
